// sendBatch calls stay within Cloudflare Queues' limits: 100 messages and 256 KB per batch.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_BYTES_PER_BATCH, MAX_MESSAGES_PER_BATCH, chunkForQueue, messageBytes } from "../../src/outbox/queue-chunks.ts";

describe("chunking messages for sendBatch", () => {
  it("splits 250 small messages 100 / 100 / 50", () => {
    const items = Array.from({ length: 250 }, (_, i) => ({ i }));
    expect(chunkForQueue(items, (x) => x).map((c) => c.length)).toEqual([100, 100, 50]);
  });

  it("starts a new batch before the byte limit", () => {
    const big = { text: "x".repeat(100_000) };
    expect(chunkForQueue([big, big, big], (x) => x).map((c) => c.length)).toEqual([2, 1]);
  });

  it("keeps every message, in order, and every batch within both limits", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60_000 }), { maxLength: 400 }), (sizes) => {
        const items = sizes.map((n, i) => ({ i, text: "y".repeat(n) }));
        const chunks = chunkForQueue(items, (x) => x);
        expect(chunks.flat()).toEqual(items);
        for (const chunk of chunks) {
          expect(chunk.length).toBeLessThanOrEqual(MAX_MESSAGES_PER_BATCH);
          expect(chunk.reduce((sum, x) => sum + messageBytes(x), 0)).toBeLessThanOrEqual(MAX_BYTES_PER_BATCH);
        }
      }),
      { numRuns: 50 },
    );
  });
});
