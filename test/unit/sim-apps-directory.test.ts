// The one-app-per-manager directory of the simulator: moves planned in every order, the end state each
// user must reach, and which job sends what in which phase.
import { describe, expect, it } from "vitest";
import { expectedSlots, generateAppsDirectory, planAppsCycle, type AppsSlot } from "../../src/tools/entra-sim/apps-directory.ts";
import { createRandom } from "../../src/tools/entra-sim/random.ts";
import { phasesOf } from "../../src/tools/entra-sim/run-apps-simulation.ts";

const MANAGERS = ["Ann Manager", "Bob Boss", "Cy Chief"];

describe("one app per manager in the simulated directory", () => {
  it("starts each user in one app's scope, under that app's manager, active", () => {
    const slots = generateAppsDirectory(100, MANAGERS, createRandom(2));
    expect(slots.every((s) => s.app !== undefined && s.user.manager === MANAGERS[s.app] && s.user.active)).toBe(true);
    expect(new Set(slots.map((s) => s.app)).size).toBe(3);
  });

  it("plans every kind of change over a few cycles, keeping manager and active true to the scope, without touching its input", () => {
    const random = createRandom(4);
    let slots: AppsSlot[] = generateAppsDirectory(60, MANAGERS, random);
    const seen = new Set<string>();
    for (let cycle = 2; cycle <= 6; cycle++) {
      const before = JSON.stringify(slots);
      const planned = planAppsCycle(slots, MANAGERS, random, cycle, 0.5);
      expect(JSON.stringify(slots)).toBe(before);
      for (const change of planned.changes) {
        seen.add(change.kind);
        if (change.kind.startsWith("move")) expect(change.from).not.toBe(change.to);
      }
      slots = planned.slots;
      for (const s of slots) {
        expect(s.user.active).toBe(s.app !== undefined);
        expect(s.user.manager).toBe(MANAGERS[s.lastApp]);
      }
    }
    expect([...seen].sort()).toEqual(["assign", "moveClaimFirst", "moveConcurrent", "moveDisableFirst", "newEmail", "rename", "unassign"]);
    expect(expectedSlots(slots).every((s) => s.inScope)).toBe(true);
  });

  it("orders each move's two requests across the phases: disable then claim, claim then disable, or both at once", () => {
    const [first, second] = phasesOf([
      { index: 1, kind: "moveDisableFirst", from: 0, to: 1 },
      { index: 2, kind: "moveClaimFirst", from: 0, to: 1 },
      { index: 3, kind: "moveConcurrent", from: 1, to: 2 },
      { index: 4, kind: "rename", from: 2 },
      { index: 5, kind: "unassign", from: 2 },
      { index: 6, kind: "assign", to: 0 },
    ]);
    expect(first).toEqual([
      { app: 1, index: 3, kind: "disable" },
      { app: 2, index: 3, kind: "reconcile" },
      { app: 0, index: 1, kind: "disable" },
      { app: 1, index: 2, kind: "reconcile" },
      { app: 2, index: 4, kind: "reconcile" },
      { app: 2, index: 5, kind: "disable" },
      { app: 0, index: 6, kind: "reconcile" },
    ]);
    expect(second).toEqual([
      { app: 1, index: 1, kind: "reconcile" },
      { app: 0, index: 2, kind: "disable" },
    ]);
  });
});
