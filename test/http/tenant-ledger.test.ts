// Issue 14 §3: every change to the allow-list, from the console or the CLI, is recorded with who, when, what
// (field by field) and why; edits are serialised through D1 (a change is recorded only if the version it was
// based on is still the latest, never last-write-wins); then the record is published to KV, which the SCIM
// path reads; a publish that failed is retried by the cron and visible in the history. Real local D1 and KV,
// and the SQL as the CLI sends it through wrangler (values inlined) run on the same D1.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { executeOnD1 } from "../../src/db/d1-execute.ts";
import { createSqlLedger, type ExecuteSql } from "../../src/db/tenant-ledger.ts";
import { addTenant, disableTenant, enableTenant, removeTenant, TenantCommandError, updateTenant } from "../../src/tenants/commands.ts";
import { createKvBindingStore } from "../../src/tenants/kv-binding-store.ts";
import { tenantKey, TenantRecord } from "../../src/tenants/record.ts";
import type { TenantStore } from "../../src/tenants/store.ts";
import { inlineStatement } from "../../src/tools/wrangler/sql-literal.ts";
import { createWorker } from "../../src/worker.ts";
import { runtimeInputs } from "../support/deps.ts";
import { commandDeps, d1Ledger, TEST_ACTOR } from "../support/ledger.ts";
import { newTenantId } from "../support/gateway.ts";

const NEW_TENANT = { accountId: "TM-1001", name: "Contoso", managers: ["Ann Manager"] };
const inKv = async (tenantId: string) => {
  const raw = await env.TENANTS.get(tenantKey(tenantId));
  return raw === null ? undefined : TenantRecord.parse(JSON.parse(raw));
};

/** The SQL exactly as `npm run tenants` sends it through `wrangler d1 execute --command`: values inlined. */
const inlinedOnD1: ExecuteSql = async (statements) =>
  (await env.DB.batch(statements.map((s) => env.DB.prepare(inlineStatement(s))))).map((r) => (r.results ?? []) as Record<string, unknown>[]);

/** KV whose puts fail until `heal()`, as an outage of KV's API would. */
function failingStore(): TenantStore & { heal(): void } {
  const real = createKvBindingStore(env.TENANTS);
  let broken = true;
  return {
    ...real,
    put: async (key, value) => {
      if (broken) throw new Error("KV PUT failed: 503 Service Unavailable");
      await real.put(key, value);
    },
    heal: () => void (broken = false),
  };
}

describe("the audit trail", () => {
  it("records every change with who, when, the fields it changed and the reason, newest first", async () => {
    const tenantId = newTenantId();
    const deps = commandDeps({ now: () => new Date("2026-12-01T09:00:00.000Z") });
    await addTenant(deps, tenantId, NEW_TENANT, { reason: "signed contract TM-1001" });
    await updateTenant({ ...deps, actor: { name: "bob.am@telemessage.example", source: "console" } }, tenantId, { addManagers: ["Bob Boss"], name: "Contoso Ltd" });
    await disableTenant(deps, tenantId, { reason: "unpaid invoice" });

    const history = await d1Ledger().history(tenantId);
    expect(history.map((e) => [e.version, e.action, e.actor.name, e.actor.source, e.reason])).toEqual([
      [3, "disabled", TEST_ACTOR.name, "cli", "unpaid invoice"],
      [2, "updated", "bob.am@telemessage.example", "console", undefined],
      [1, "added", TEST_ACTOR.name, "cli", "signed contract TM-1001"],
    ]);
    expect(history[0]?.changes).toEqual([{ field: "enabled", from: true, to: false }]);
    expect(history[1]?.changes.map((c) => c.field)).toEqual(["name", "managers"]);
    expect(history[1]?.changes[0]).toEqual({ field: "name", from: "Contoso", to: "Contoso Ltd" });
    expect(history.every((e) => e.at === "2026-12-01T09:00:00.000Z" && e.publishedAt === "2026-12-01T09:00:00.000Z")).toBe(true);
  });

  it("records nothing for a change that changes nothing", async () => {
    const tenantId = newTenantId();
    await addTenant(commandDeps(), tenantId, NEW_TENANT);
    expect((await enableTenant(commandDeps(), tenantId)).action).toBe("unchanged");
    expect(await d1Ledger().history(tenantId)).toHaveLength(1);
  });

  it("records a removal, and a tenant added again continues the same history", async () => {
    const tenantId = newTenantId();
    await addTenant(commandDeps(), tenantId, NEW_TENANT);
    await removeTenant(commandDeps(), tenantId, { reason: "customer left" });
    expect(await inKv(tenantId)).toBeUndefined();
    await addTenant(commandDeps(), tenantId, { ...NEW_TENANT, accountId: "TM-2002" });
    expect((await d1Ledger().history(tenantId)).map((e) => `${e.version} ${e.action}`)).toEqual(["3 added", "2 removed", "1 added"]);
    expect((await inKv(tenantId))?.accountId).toBe("TM-2002");
  });

  it("records a tenant approved before the audit trail (only in KV) with its next change, based on KV's record", async () => {
    const tenantId = newTenantId();
    await env.TENANTS.put(tenantKey(tenantId), JSON.stringify({ ...NEW_TENANT, enabled: true }));
    const result = await disableTenant(commandDeps(), tenantId);
    expect(result.version).toBe(1);
    expect((await d1Ledger().history(tenantId))[0]?.changes).toEqual([{ field: "enabled", from: true, to: false }]);
    expect((await inKv(tenantId))?.enabled).toBe(false);
  });
});

describe("concurrent edits", () => {
  it("refuses a change based on a version that is no longer the latest, names who changed it since, and writes nothing", async () => {
    const tenantId = newTenantId();
    await addTenant(commandDeps(), tenantId, NEW_TENANT);
    // Two people open the tenant at version 1; Bob saves first.
    await updateTenant(commandDeps({ actor: { name: "bob.am@telemessage.example", source: "console" } }), tenantId, { name: "Contoso (Bob)" }, { basedOn: 1 });
    const refused = await updateTenant(commandDeps(), tenantId, { name: "Contoso (Ann)" }, { basedOn: 1 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TenantCommandError);
    expect((refused as TenantCommandError).code).toBe("conflict");
    expect((refused as TenantCommandError).message).toContain("bob.am@telemessage.example");
    expect((refused as TenantCommandError).changedSince.map((e) => e.version)).toEqual([2]);
    expect((await inKv(tenantId))?.name).toBe("Contoso (Bob)");
    expect(await d1Ledger().history(tenantId)).toHaveLength(2);
  });

  it("lets exactly one of several changes racing from the same version through, whatever their order", async () => {
    const tenantId = newTenantId();
    await addTenant(commandDeps(), tenantId, NEW_TENANT);
    const ledger = d1Ledger();
    const base = (await ledger.get(tenantId))!;
    const attempts = await Promise.all(
      ["A", "B", "C", "D"].map((who) =>
        ledger.commit(tenantId, base.version, JSON.stringify({ ...NEW_TENANT, enabled: true, name: who }), {
          id: crypto.randomUUID(),
          at: new Date().toISOString(),
          actor: { name: who, source: "console" },
          action: "updated",
          changes: [{ field: "name", from: "Contoso", to: who }],
        }),
      ),
    );
    expect(attempts.filter(Boolean)).toHaveLength(1);
    const winner = ["A", "B", "C", "D"][attempts.indexOf(true)];
    const latest = (await ledger.get(tenantId))!;
    expect(latest.version).toBe(2);
    expect(JSON.parse(latest.raw!).name).toBe(winner);
    // The losers left no audit entry.
    expect((await ledger.history(tenantId)).map((e) => e.actor.name)).toEqual([winner, TEST_ACTOR.name]);
  });

  it("runs the same serialisation through the CLI's inlined SQL, with values that would break naive quoting", async () => {
    const tenantId = newTenantId();
    const ledger = createSqlLedger(inlinedOnD1);
    const hostile = `O'Brien "Ltd" ? \\ ; DROP TABLE tenant_audit; -- ☎`;
    const deps = commandDeps({ ledger, actor: { name: `${hostile}@x`, source: "cli" } });
    await addTenant(deps, tenantId, { ...NEW_TENANT, name: hostile }, { reason: hostile });
    const [entry] = await ledger.history(tenantId);
    expect(entry?.actor.name).toBe(`${hostile}@x`);
    expect(entry?.reason).toBe(hostile);
    expect((await inKv(tenantId))?.name).toBe(hostile);
    const refused = await updateTenant(deps, tenantId, { name: "later" }, { basedOn: 0 }).catch((e: unknown) => e);
    expect((refused as TenantCommandError).code).toBe("conflict");
    // The Worker's binding reads what the CLI's SQL wrote.
    expect((await createSqlLedger(executeOnD1(env.DB)).get(tenantId))?.version).toBe(1);
  });
});

describe("publishing to KV", () => {
  it("keeps a change whose publish failed, says so in the result and the history, and the cron publishes it", async () => {
    const tenantId = newTenantId();
    await addTenant(commandDeps(), tenantId, NEW_TENANT);
    const store = failingStore();
    const result = await disableTenant(commandDeps({ store }), tenantId, { reason: "unpaid" });
    expect(result.publish).toEqual({ ok: false, version: 2, error: "Error: KV PUT failed: 503 Service Unavailable" });
    // Recorded, but the gateway still reads the old record.
    expect((await inKv(tenantId))?.enabled).toBe(true);
    let [entry] = await d1Ledger().history(tenantId);
    expect(entry).toMatchObject({ version: 2, publishAttempts: 1, publishError: "Error: KV PUT failed: 503 Service Unavailable" });
    expect(entry?.publishedAt).toBeUndefined();

    const worker = createWorker({ ...runtimeInputs(), log: () => {} });
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await inKv(tenantId))?.enabled).toBe(false);
    [entry] = await d1Ledger().history(tenantId);
    expect(entry?.publishedAt, JSON.stringify(entry)).toBeDefined();
    expect(entry?.publishAttempts).toBe(1);
    expect((await d1Ledger().get(tenantId))?.publishedVersion).toBe(2);
  });

  it("always leaves KV holding the latest version, even when an older change's publish lands last", async () => {
    const tenantId = newTenantId();
    await addTenant(commandDeps(), tenantId, NEW_TENANT);
    // A store whose first put is held back until a newer change has been recorded and published.
    const real = createKvBindingStore(env.TENANTS);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    const slow: TenantStore = {
      ...real,
      put: async (key, value) => {
        if (first) {
          first = false;
          await held;
        }
        await real.put(key, value);
      },
    };
    const older = disableTenant(commandDeps({ store: slow }), tenantId);
    // Let the older change record itself and reach its put before the newer one starts.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await updateTenant(commandDeps(), tenantId, { name: "Contoso Ltd" });
    release();
    const result = await older;
    expect(result.publish?.ok).toBe(true);
    const stored = await inKv(tenantId);
    expect(stored).toMatchObject({ name: "Contoso Ltd", enabled: false });
    expect((await d1Ledger().get(tenantId))?.publishedVersion).toBe(3);
  });
});
