// Issue 12 §2: the simulator with one Entra app per manager (`--apps N`) against the real Worker and real
// local D1: N jobs at once, each on its manager's Tenant URL, moving users between them in both orders of
// the old app's disable and the new app's update, and at the same moment. The end state must hold each
// user under the manager whose app has it in scope, active exactly when in scope.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { formatSummary } from "../../src/tools/entra-sim/report.ts";
import { runAppsSimulation, type SimApp } from "../../src/tools/entra-sim/run-apps-simulation.ts";
import type { SimDeps } from "../../src/tools/entra-sim/scim-client.ts";
import { BASE, connectedTenant } from "../support/gateway.ts";

const APPS: SimApp[] = [
  { manager: "Ann Manager", key: "ann-manager" },
  { manager: "Bob Boss", key: "bob-boss" },
  { manager: "Cy Chief", key: "cy-chief" },
];

const workerDeps: SimDeps = {
  fetch: (input, init) => exports.default.fetch(new Request(input, init)),
  now: () => performance.now(),
  sleep: async () => {},
};

describe("Entra simulator with one app per manager, against the Worker", () => {
  it("moves users between 3 apps in every order of disable and claim, and ends with each user under the app that has it in scope", async () => {
    const { tenantId, token } = await connectedTenant({ managers: APPS.map(({ key, manager }) => ({ key, name: manager })) });
    const summary = await runAppsSimulation(
      { baseUrl: BASE, tenantId, token, users: 30, cycles: 4, concurrency: 3, shape: "mixed", apps: APPS, seed: 5, changeRate: 0.5 },
      workerDeps,
    );
    expect(summary.ok, formatSummary(summary)).toBe(true);
    for (const kind of ["moveDisableFirst", "moveClaimFirst", "moveConcurrent", "unassign", "assign", "rename", "newEmail"]) {
      expect(summary.changes[kind], `${kind}: ${JSON.stringify(summary.changes)}`).toBeGreaterThan(0);
    }
    expect(summary.unmanagedUsers).toBe(0);
  });

  it("catches the race it is there for: with every app on the shared URL, late disables leave moved users disabled", async () => {
    const { tenantId, token } = await connectedTenant({ managers: APPS.map(({ key, manager }) => ({ key, name: manager })) });
    const summary = await runAppsSimulation(
      { baseUrl: BASE, tenantId, token, users: 30, cycles: 4, concurrency: 3, shape: "mixed", apps: APPS, seed: 5, changeRate: 0.5, sharedUrl: true },
      workerDeps,
    );
    expect(summary.ok).toBe(false);
    expect(summary.unexpected).toEqual([]);
    expect(summary.mismatches.some((m) => /active differ at the gateway/.test(m)), summary.mismatches.join("\n")).toBe(true);
  });

  it("fails the run with the status when the tenant has no manager with an app's key", async () => {
    const { tenantId, token } = await connectedTenant({ managers: APPS.map((a) => `${a.manager} Jr`) });
    const summary = await runAppsSimulation(
      { baseUrl: BASE, tenantId, token, users: 4, cycles: 1, concurrency: 1, shape: "aadOptscim062020", apps: APPS, seed: 1 },
      workerDeps,
    );
    expect(summary.ok).toBe(false);
    expect(summary.unexpected[0]).toMatchObject({ kind: "probe", status: 404 });
  });
});
