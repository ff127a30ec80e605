// The contract's status-code meanings (README, "Forwarding to the TeleMessage core"), one classification.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyFailure, classifyStatus, parseRetryAfter } from "../../src/outbox/delivery-outcome.ts";

const NOW = new Date("2026-11-28T10:00:00Z");

describe("classifying the core's answer", () => {
  it.each([200, 201, 202, 204, 409])("%i means applied (409: already applied), so the event is delivered", (status) => {
    expect(classifyStatus(status, null, NOW).kind).toBe("delivered");
  });

  it.each([408, 425, 429, 500, 502, 503, 504])("%i is transient: retry", (status) => {
    expect(classifyStatus(status, null, NOW)).toMatchObject({ kind: "transient", status });
  });

  it.each([400, 401, 403, 404, 410, 413, 422])("%i is permanent for that event: no retry", (status) => {
    expect(classifyStatus(status, null, NOW)).toMatchObject({ kind: "permanent", status, reason: `HTTP ${status}` });
  });

  it("treats a status the contract does not name (a redirect) as transient, so the event waits for a config fix", () => {
    expect(classifyStatus(301, null, NOW).kind).toBe("transient");
  });

  it("every status gets exactly one meaning, and only 2xx and 409 count as delivered", () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), (status) => {
        const { kind } = classifyStatus(status, null, NOW);
        expect(kind === "delivered").toBe((status >= 200 && status < 300) || status === 409);
        expect(kind === "permanent").toBe(status >= 400 && status < 500 && ![408, 409, 425, 429].includes(status));
      }),
    );
  });

  it("carries the core's (already redacted) detail in the stored reason", () => {
    expect(classifyStatus(400, null, NOW, "mobile: invalid")).toMatchObject({ reason: "HTTP 400: mobile: invalid" });
  });

  it("honours Retry-After in seconds and as an HTTP date", () => {
    expect(classifyStatus(429, "120", NOW)).toMatchObject({ kind: "transient", retryAfterSeconds: 120 });
    expect(classifyStatus(503, "Sat, 28 Nov 2026 10:01:30 GMT", NOW)).toMatchObject({ retryAfterSeconds: 90 });
  });

  it("ignores a Retry-After that is unparseable or in the past", () => {
    expect(parseRetryAfter("soon", NOW)).toBeUndefined();
    expect(parseRetryAfter("Sat, 28 Nov 2026 09:00:00 GMT", NOW)).toBeUndefined();
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
  });

  it("a call that timed out or failed to connect is transient, without a status", () => {
    expect(classifyFailure(new DOMException("deadline", "TimeoutError"))).toEqual({ kind: "transient", status: null, reason: "timeout" });
    expect(classifyFailure(new TypeError("fetch failed"))).toEqual({ kind: "transient", status: null, reason: "network error (TypeError)" });
  });
});
