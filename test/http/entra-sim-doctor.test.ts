// Issue 14's proof: `npm run entra-sim` with a misspelt manager makes `npm run tenants -- doctor` name the
// misspelling. The simulator (its runSimulation, what `npm run entra-sim -- --manager "Ann Manger"` runs)
// plays Entra against the Worker's app on the real local D1/KV, whose activity recording writes what it
// saw; then what the tenants CLI's `doctor` runs once its arguments are parsed (diagnose and
// renderFindings, src/tools/tenants/) reads that same local D1 with the statements it would hand `wrangler
// d1 execute`, and the allow-list record the Worker read from KV. (The argument parsing itself, node:util
// parseArgs, does not exist in workerd; test/node/tenants-activity-cli.test.ts covers `doctor` through argv.)
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import type { JWK } from "jose";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import devKey from "../../src/tools/dev/dev-signing-key.json";
import { signDevToken } from "../../src/tools/dev/dev-token.ts";
import { formatSummary } from "../../src/tools/entra-sim/report.ts";
import { runSimulation } from "../../src/tools/entra-sim/run-simulation.ts";
import type { SimDeps } from "../../src/tools/entra-sim/scim-client.ts";
import { diagnose } from "../../src/tools/tenants/activity.ts";
import { renderFindings } from "../../src/tools/tenants/activity-output.ts";
import { TenantRecord, tenantKey } from "../../src/tenants/record.ts";
import { linesInto, testDeps } from "../support/deps.ts";
import { allowTenant, BASE, newTenantId } from "../support/gateway.ts";

describe("entra-sim with a misspelt manager, then tenants doctor", () => {
  it("names the misspelt displayName and the registered manager, and says the Entra admin must act", async () => {
    let clock = Date.parse("2026-11-28T10:00:00.000Z");
    const app = createApp(testDeps({ now: () => new Date(clock), log: linesInto([]) }));
    const tenantId = newTenantId();
    await allowTenant(tenantId, { managers: ["Ann Manager"] });
    const token = await signDevToken({ jwk: devKey as JWK, tenantId, now: () => clock, expiresInSeconds: 4 * 3600 });
    const simDeps: SimDeps = {
      fetch: async (input, init) => {
        const ctx = createExecutionContext();
        const res = await app.fetch(new Request(input, init), env, ctx);
        await waitOnExecutionContext(ctx);
        return res;
      },
      now: () => performance.now(),
      sleep: async () => {},
    };
    const options = { baseUrl: BASE, tenantId, token, users: 12, cycles: 1, concurrency: 2, shape: "aadOptscim062020" as const, managers: ["Ann Manger"], seed: 5 };

    const summary = await runSimulation(options, simDeps);
    expect(summary.ok, "every create is refused").toBe(false);
    expect(summary.statuses["400"], formatSummary(summary)).toBe(12);
    // Entra's next cycle, a minute later: its first request writes what the isolate held (the first
    // cycle's 12 refusals; this cycle's own create waits for the next write).
    clock += 60_000;
    await runSimulation({ ...options, users: 1 }, simDeps);

    const record = TenantRecord.parse(await env.TENANTS.get(tenantKey(tenantId), "json"));
    const queryD1 = async (_target: unknown, statements: string[]) =>
      (await env.DB.batch(statements.map((sql) => env.DB.prepare(sql)))).map((r) => r.results as Record<string, unknown>[]);
    const { findings, problems } = await diagnose(queryD1, { remote: false }, tenantId, record, new Date(clock));
    const text = renderFindings(tenantId, findings, { remote: false });
    expect(problems, text).toBeGreaterThan(0);
    expect(text).toContain(
      "PROBLEM (Entra admin must act): 12 refusals in the last 24 h, all unknown manager 'Ann Manger': the app's displayName constant is misspelled; registered: Ann Manager",
    );
  });
});
