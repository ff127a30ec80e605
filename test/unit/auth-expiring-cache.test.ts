import { describe, expect, it } from "vitest";
import { createExpiringCache } from "../../src/auth/expiring-cache.ts";

describe("expiring cache", () => {
  it("forgets an entry at its expiry time", () => {
    let now = 1_000;
    const cache = createExpiringCache<string>(10, () => now);
    cache.set("a", "x", 2_000);
    now = 1_999;
    expect(cache.get("a")).toBe("x");
    now = 2_000;
    expect(cache.get("a")).toBeUndefined();
  });

  it("never holds more than its bound, evicting the oldest write first", () => {
    const cache = createExpiringCache<number>(3, () => 0);
    for (let i = 0; i < 5; i++) cache.set(`k${i}`, i, 10);
    expect(cache.size).toBe(3);
    expect([cache.get("k0"), cache.get("k1"), cache.get("k2"), cache.get("k4")]).toEqual([undefined, undefined, 2, 4]);
  });

  it("does not store an entry that has already expired", () => {
    const cache = createExpiringCache<number>(3, () => 100);
    cache.set("old", 1, 100);
    expect(cache.size).toBe(0);
  });
});
