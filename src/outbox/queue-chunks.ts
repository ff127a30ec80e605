// Splits messages into sendBatch calls within Cloudflare Queues' limits: at most 100 messages and 256 KB
// per batch (https://developers.cloudflare.com/queues/platform/limits/). Sizes are counted as the JSON
// bytes of each body plus a margin for the per-message envelope, so a batch never lands on the limit.

export const MAX_MESSAGES_PER_BATCH = 100;
export const MAX_BYTES_PER_BATCH = 256 * 1024;
/** Per-message overhead the limit also counts (content type, delay); generous on purpose. */
const ENVELOPE_BYTES = 256;

const encoder = new TextEncoder();
export const messageBytes = (body: unknown): number => encoder.encode(JSON.stringify(body)).byteLength + ENVELOPE_BYTES;

export function chunkForQueue<T>(
  items: readonly T[],
  bodyOf: (item: T) => unknown,
  limits = { maxMessages: MAX_MESSAGES_PER_BATCH, maxBytes: MAX_BYTES_PER_BATCH },
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = messageBytes(bodyOf(item));
    if (current.length > 0 && (current.length === limits.maxMessages || bytes + size > limits.maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
