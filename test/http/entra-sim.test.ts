// The Entra sync-cycle simulator against the real Worker (exports.default.fetch, real local D1/KV/Queue):
// a small provisioning job in each of Entra's shapes must see only the statuses Entra expects and leave
// the gateway holding exactly what the directory says.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { formatSummary } from "../../src/tools/entra-sim/report.ts";
import { runSimulation, type ShapeOption } from "../../src/tools/entra-sim/run-simulation.ts";
import type { SimDeps } from "../../src/tools/entra-sim/scim-client.ts";
import { BASE, connectedTenant } from "../support/gateway.ts";

const MANAGERS = ["Ann Manager", "Bob Boss"];

const workerDeps: SimDeps = {
  fetch: (input, init) => exports.default.fetch(new Request(input, init)),
  now: () => performance.now(),
  sleep: async () => {},
};

describe("Entra sync-cycle simulator against the Worker", () => {
  it.each<ShapeOption>(["legacy", "aadOptscim062020", "mixed"])(
    "runs Test Connection, an initial and two incremental cycles with every kind of change in the %s shape, with only expected statuses",
    async (shape) => {
      const { tenantId, token } = await connectedTenant({ managers: MANAGERS });
      // Seed 11 gives 20 users every kind of change over two incremental cycles (renames to re-creates).
      const summary = await runSimulation(
        { baseUrl: BASE, tenantId, token, users: 20, cycles: 3, concurrency: 4, shape, managers: MANAGERS, seed: 11, changeRate: 0.5 },
        workerDeps,
      );
      expect(summary.ok, formatSummary(summary)).toBe(true);
      expect(Object.values(summary.changes).every((n) => n > 0), JSON.stringify(summary.changes)).toBe(true);
      expect(summary.statuses["201"]).toBeGreaterThan(20);
      expect(summary.statuses["204"]).toBeGreaterThan(0);
      expect(summary.unmanagedUsers).toBe(0);
    },
  );

  it("runs again over the same tenant and finds nothing to create: the initial cycle matches by userName", async () => {
    const { tenantId, token } = await connectedTenant({ managers: MANAGERS });
    const options = { baseUrl: BASE, tenantId, token, users: 10, cycles: 1, concurrency: 2, shape: "legacy" as const, managers: MANAGERS, seed: 7 };
    expect((await runSimulation(options, workerDeps)).ok).toBe(true);
    const again = await runSimulation(options, workerDeps);
    expect(again.ok, formatSummary(again)).toBe(true);
    expect(again.statuses["201"]).toBeUndefined();
    expect(again.byKind.patch).toBeUndefined();
  });

  it("fails the run when the gateway refuses the tenant, and reports the status", async () => {
    const { tenantId, token } = await connectedTenant({ managers: MANAGERS, enabled: false });
    const summary = await runSimulation(
      { baseUrl: BASE, tenantId, token, users: 2, cycles: 1, concurrency: 1, shape: "aadOptscim062020", managers: MANAGERS, seed: 1 },
      workerDeps,
    );
    expect(summary.ok).toBe(false);
    expect(summary.unexpected[0]).toMatchObject({ kind: "probe", status: 403 });
  });
});
