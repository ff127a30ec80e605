// What the console's pages read, and the commands' dependencies as the console runs them. The allow-list's
// ledger and audit trail live in the control plane (Deps.controlPlane, the first database); each tenant's
// activity and users only in the tenant's own database, the shard its record names (Deps.database), the
// tenants list's summaries in every shard (Deps.shards), each tenant's taken from its own. KV through the
// TENANTS binding.
import { doctorFindings } from "../activity/doctor.ts";
import { tenantActivity, tenantSummaries, type TenantSummary } from "../activity/read-model.ts";
import { executeOnD1 } from "../db/d1-execute.ts";
import { createSqlLedger } from "../db/tenant-ledger.ts";
import type { Deps } from "../deps.ts";
import { listTenants, parseTenantId, showTenant, tenantHistory, type ListedTenant, type TenantCommandDeps } from "../tenants/commands.ts";
import { createKvBindingStore } from "../tenants/kv-binding-store.ts";
import { createManagerUsers } from "../users/manager-moves.ts";
import { shardOf, type ShardName } from "../tenants/shard.ts";
import type { TenantPageData } from "./tenant-view.ts";
import type { TenantRow } from "./tenants-view.ts";

type ConsoleBindings = Pick<Env, "DB" | "TENANTS" | "GATEWAY_ORIGIN">;

export type ConsoleData = ReturnType<typeof consoleData>;

export function consoleData(deps: Deps) {
  const ledgerOf = (env: ConsoleBindings) => createSqlLedger(executeOnD1(deps.controlPlane(env).$client));
  const read = (env: ConsoleBindings) => ({ ledger: ledgerOf(env), store: createKvBindingStore(env.TENANTS) });

  return {
    /** The commands as `identity` runs them from the console; `tenantId` opens its users' database. */
    commands(env: ConsoleBindings, identity: string, tenantId?: string): TenantCommandDeps {
      const users = tenantId ? usersOf(env, tenantId) : undefined;
      return { ...read(env), actor: { name: identity, source: "console" }, now: deps.now, newId: deps.newId, ...(users ? { users } : {}) };
    },

    async tenantRows(env: ConsoleBindings): Promise<TenantRow[]> {
      const now = deps.now();
      const shards = deps.shards(env);
      const [tenants, ...summaries] = await Promise.all([listTenants(read(env)), ...shards.map((name) => tenantSummaries(deps.shard(env, name), now))]);
      const byTenant = new Map<string, TenantSummary>(summaries.flatMap((list, i) => list.map((s) => [`${shards[i]}/${s.tenantId}`, s] as const)));
      return (tenants as ListedTenant[]).map((tenant) => ({ tenant, summary: tenant.valid ? byTenant.get(`${shardOf(tenant.record)}/${tenant.tenantId}`) : undefined }));
    },

    /** One tenant's page data; undefined when its stored record cannot be read. */
    async tenantPage(env: ConsoleBindings, tenant: string): Promise<TenantPageData | undefined> {
      const tenantId = parseTenantId(tenant);
      const now = deps.now();
      const found = await showTenant(read(env), tenantId);
      if (!found.valid) return undefined;
      const [activity, history] = await Promise.all([tenantActivity(deps.database(env, found), tenantId, now), tenantHistory({ ledger: ledgerOf(env) }, tenantId)]);
      return {
        tenant: found,
        version: found.ledger?.version ?? 0,
        activity,
        findings: doctorFindings(activity, found.record, now),
        history,
        gatewayOrigin: env.GATEWAY_ORIGIN?.trim() || undefined,
      };
    },
  };

  /**
   * Renaming a manager moves its users in the tenant's database (the shard its record names, which
   * manager-moves.ts passes), with the SQL the CLI sends through wrangler.
   */
  function usersOf(env: ConsoleBindings, _tenantId: string) {
    const execute = async (shard: ShardName, statements: string[]) => {
      const d1 = deps.shard(env, shard).$client;
      return (await d1.batch(statements.map((s) => d1.prepare(s)))).map((r) => (r.results ?? []) as Record<string, unknown>[]);
    };
    return createManagerUsers(execute, { now: deps.now, newId: deps.newId });
  }
}
