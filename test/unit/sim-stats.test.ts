// The simulator's numbers: nearest-rank percentiles, throughput, and the core comparison.
import { describe, expect, it } from "vitest";
import { compareCoreUsers } from "../../src/tools/entra-sim/core-check.ts";
import type { Slot } from "../../src/tools/entra-sim/directory.ts";
import { percentile, summarizeLatency, throughput } from "../../src/tools/entra-sim/stats.ts";

describe("latency percentiles", () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it("takes the nearest rank: of 1..100, p50 is 50, p95 is 95, p99 is 99", () => {
    expect([50, 95, 99, 100].map((p) => percentile(oneToHundred, p))).toEqual([50, 95, 99, 100]);
  });

  it("answers with a sample, never an interpolation, for small sets", () => {
    expect(percentile([10, 20, 30], 50)).toBe(20);
    expect(percentile([10, 20, 30], 99)).toBe(30);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBe(0);
  });

  it("summarises unsorted samples, rounded to a tenth of a millisecond", () => {
    expect(summarizeLatency([3.14159, 1, 2])).toEqual({ count: 3, p50: 2, p95: 3.1, p99: 3.1, max: 3.1, mean: 2 });
  });

  it("computes requests per second, and 0 when no time passed", () => {
    expect(throughput(500, 2000)).toBe(250);
    expect(throughput(5, 0)).toBe(0);
  });
});

describe("core comparison", () => {
  const slot = (index: number, inScope = true, active = true): Slot => ({
    index,
    inScope,
    user: { mobile: `4412345678${index}0`, givenName: "Bo", familyName: "Berg", mail: "bo@contoso.example", manager: "Ann Manager", active },
  });
  const entry = (index: number, fields: Record<string, unknown> = {}) => ({
    mobile: `4412345678${index}0`,
    userId: `u-${index}`,
    active: true,
    deleted: false,
    version: 2,
    user: { displayName: "Ann Manager", givenName: "Bo", familyName: "Berg", workEmail: "bo@contoso.example" },
    ...fields,
  });
  const held = new Map([
    [0, { id: "u-0", version: 2 }],
    [1, { id: "u-1", version: 2 }],
  ]);

  it("agrees when the core holds each live user at the gateway's id and version, and deleted ones as deleted", () => {
    expect(compareCoreUsers([entry(0), entry(1), entry(2, { userId: "u-old", deleted: true })], [slot(0), slot(1), slot(2, false)], held)).toEqual([]);
  });

  it("names a user the core holds under another manager than its app's, from the core's own manager field", () => {
    expect(compareCoreUsers([entry(0, { manager: "Bob Boss" }), entry(1, { manager: "Ann Manager" })], [slot(0), slot(1)], held)).toEqual([
      "user #0: stored manager differs at the core",
    ]);
  });

  it("names what lags: a missing user, an older version, a live deleted user", () => {
    expect(compareCoreUsers([entry(0, { version: 1 }), entry(2)], [slot(0), slot(1), slot(2, false)], held)).toEqual([
      "user #0: core has version 1, gateway 2",
      "user #1: missing at the core",
      "user #2: deleted at the gateway but live at the core",
    ]);
  });
});
