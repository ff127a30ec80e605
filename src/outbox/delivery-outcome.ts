// What one call to the core means for its event, as the contract (README, "Forwarding to the TeleMessage
// core") defines it: 2xx applied; 409 already applied (success); 408, 425, 429, 5xx, a timeout or a
// network error are transient (retry, honouring Retry-After); any other 4xx is permanent for that event.
// Anything else the contract does not name (a 3xx, a 1xx) is treated as transient: it says more about our
// configuration than about the event, and retrying keeps the event alive until someone fixes it.

export type DeliveryOutcome =
  | { kind: "delivered"; status: number }
  | { kind: "transient"; status: number | null; reason: string; retryAfterSeconds?: number }
  | { kind: "permanent"; status: number; reason: string };

const TRANSIENT_4XX = new Set([408, 425, 429]);

/** The core took the event: 2xx applied it, 409 had it already (a duplicate, or a version it has passed). */
export const isAccepted = (status: number): boolean => (status >= 200 && status < 300) || status === 409;

export function classifyStatus(status: number, retryAfter: string | null, now: Date, detail = ""): DeliveryOutcome {
  if (isAccepted(status)) return { kind: "delivered", status };
  const reason = detail ? `HTTP ${status}: ${detail}` : `HTTP ${status}`;
  if (status >= 400 && status < 500 && !TRANSIENT_4XX.has(status)) return { kind: "permanent", status, reason };
  const retryAfterSeconds = parseRetryAfter(retryAfter, now);
  return retryAfterSeconds === undefined
    ? { kind: "transient", status, reason }
    : { kind: "transient", status, reason, retryAfterSeconds };
}

/** A call that produced no response: the deadline passed, or the connection failed. */
export function classifyFailure(error: unknown): DeliveryOutcome {
  const name = error instanceof Error || error instanceof DOMException ? error.name : "";
  if (name === "TimeoutError" || name === "AbortError") return { kind: "transient", status: null, reason: "timeout" };
  return { kind: "transient", status: null, reason: `network error${name ? ` (${name})` : ""}` };
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date. Unparseable or past values are ignored. */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  const seconds = Math.ceil((at - now.getTime()) / 1000);
  return seconds > 0 ? seconds : undefined;
}
