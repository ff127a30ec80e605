// The simulated directory: users whose numbers the gateway accepts, and cycle changes that make sense.
import { describe, expect, it } from "vitest";
import { canonicalMobile } from "../../src/users/mobile-number.ts";
import { CHANGE_KINDS, generateDirectory, mobileCountries, planCycleChanges } from "../../src/tools/entra-sim/directory.ts";
import { createRandom } from "../../src/tools/entra-sim/random.ts";

const MANAGERS = ["Ann Manager", "Bob Boss"];

describe("simulated directory", () => {
  it("generates distinct mobile numbers in several countries, each one the gateway accepts as it is", () => {
    const slots = generateDirectory(2000, MANAGERS, createRandom(3));
    const mobiles = slots.map((s) => s.user.mobile);
    expect(new Set(mobiles).size).toBe(2000);
    expect(mobileCountries().length).toBeGreaterThanOrEqual(6);
    for (const mobile of mobiles) expect(canonicalMobile(mobile), mobile).toEqual({ ok: true, mobile });
  });

  it("gives the same users for the same seed and different ones for another", () => {
    const a = generateDirectory(50, MANAGERS, createRandom(9));
    expect(generateDirectory(50, MANAGERS, createRandom(9))).toEqual(a);
    expect(generateDirectory(50, MANAGERS, createRandom(10))).not.toEqual(a);
  });

  it("starts every user in scope and active, assigned to one of the managers, some without mail", () => {
    const slots = generateDirectory(200, MANAGERS, createRandom(1));
    expect(slots.every((s) => s.inScope && s.user.active && MANAGERS.includes(s.user.manager))).toBe(true);
    expect(slots.some((s) => s.user.mail === undefined)).toBe(true);
  });

  it("plans changes that fit each user's state and leaves the given directory as it was", () => {
    const random = createRandom(5);
    let slots = generateDirectory(300, MANAGERS, random);
    const seen = new Set<string>();
    for (let cycle = 2; cycle <= 6; cycle++) {
      const before = structuredClone(slots);
      const planned = planCycleChanges(slots, MANAGERS, random, cycle, 0.4);
      expect(slots).toEqual(before);
      for (const { index, kind } of planned.changes) {
        seen.add(kind);
        const was = before[index]!;
        const now = planned.slots[index]!;
        if (!was.inScope) expect(kind).toBe("recreate");
        else if (!was.user.active) expect(["enable", "delete"]).toContain(kind);
        if (kind === "managerMove") expect(now.user.manager).not.toBe(was.user.manager);
        if (kind === "disable") expect(now.user.active).toBe(false);
        if (kind === "delete") expect(now.inScope).toBe(false);
        if (kind === "recreate") expect(now).toMatchObject({ inScope: true, user: { active: true } });
        expect(now.user.mobile).toBe(was.user.mobile);
      }
      slots = planned.slots;
    }
    expect([...seen].sort()).toEqual([...CHANGE_KINDS].sort());
  });

  it("moves no one between managers when the tenant has only one", () => {
    const random = createRandom(2);
    const slots = generateDirectory(100, ["Dev Manager"], random);
    const { changes } = planCycleChanges(slots, ["Dev Manager"], random, 2, 1);
    expect(changes.length).toBe(100);
    expect(changes.some((c) => c.kind === "managerMove")).toBe(false);
  });
});
