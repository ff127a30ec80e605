// Retry delays: exponential with jitter, Retry-After as a floor, one cap over everything.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_BACKOFF, QUEUES_MAX_DELAY_SECONDS, retryDelaySeconds } from "../../src/outbox/backoff.ts";

const fixed = (value: number) => () => value;
const policy = { baseSeconds: 10, capSeconds: 1_200 };

describe("retry backoff", () => {
  it("doubles the step with each attempt: 10 s, 20 s, 40 s ... (at the top of the jitter)", () => {
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(n, undefined, fixed(0.999999), policy))).toEqual([10, 20, 40, 80]);
  });

  it("jitters within the upper half of the step", () => {
    expect(retryDelaySeconds(3, undefined, fixed(0), policy)).toBe(20);
    expect(retryDelaySeconds(3, undefined, fixed(0.5), policy)).toBe(30);
  });

  it("stops growing at the cap", () => {
    expect(retryDelaySeconds(30, undefined, fixed(0.999999), policy)).toBe(1_200);
  });

  it("waits at least what Retry-After asks, and never beyond the cap", () => {
    expect(retryDelaySeconds(1, 300, fixed(0), policy)).toBe(300);
    expect(retryDelaySeconds(1, 86_400, fixed(0), policy)).toBe(1_200);
  });

  it("for any attempt, jitter and Retry-After: within [half the step, cap], at least min(Retry-After, cap)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempts, retryAfter, r) => {
          const delay = retryDelaySeconds(attempts, retryAfter, () => r, DEFAULT_BACKOFF);
          const step = Math.min(DEFAULT_BACKOFF.capSeconds, DEFAULT_BACKOFF.baseSeconds * 2 ** Math.min(attempts - 1, 31));
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(step / 2));
          expect(delay).toBeLessThanOrEqual(DEFAULT_BACKOFF.capSeconds);
          if (retryAfter !== undefined) expect(delay).toBeGreaterThanOrEqual(Math.min(retryAfter, DEFAULT_BACKOFF.capSeconds));
        },
      ),
    );
  });

  it("never asks Queues for more than its 12-hour maximum, whatever the policy says", () => {
    expect(retryDelaySeconds(40, 999_999, fixed(0.9), { baseSeconds: 60, capSeconds: 10 ** 9 })).toBe(QUEUES_MAX_DELAY_SECONDS);
  });

  it("with max_retries = 24 the default policy keeps retrying for about 3 to 6 hours before dead-lettering", () => {
    const total = (r: number) => Array.from({ length: 24 }, (_, i) => retryDelaySeconds(i + 1, undefined, fixed(r), DEFAULT_BACKOFF)).reduce((a, b) => a + b);
    expect(total(0) / 3600).toBeGreaterThan(3);
    expect(total(0.999999) / 3600).toBeLessThan(6.1);
  });
});
