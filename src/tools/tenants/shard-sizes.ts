// How full each shard is, for `npm run tenants -- add` (placing a new tenant by the capacity rule,
// docs/capacity.md) and `list` (each tenant's size). Plain SQL through a query port: the CLI runs it with
// `wrangler d1 execute <shard>` (main.ts), the Workers tests against their D1s. Counts come from
// tenant_usage (the running count every create and delete keeps) and the outbox; a shard's size in bytes is
// D1's own size_after where D1 reports it (Cloudflare does, the local wrangler does not), else estimated from
// the counts with the model's measured bytes per user and per event.
import { GUID_PATTERN } from "../../tenants/record.ts";
import type { ShardName } from "../../tenants/shard.ts";
import type { CapacityFigures, ShardLoad } from "../capacity/model.ts";

export type ShardQuery = (shard: ShardName, sql: string) => Promise<{ rows: Record<string, unknown>[]; sizeAfter?: number }>;

export type TenantSize = { users: number; events: number };

export type ShardSizes = {
  /** The shards of the target environment (wrangler.toml), DB first. */
  shards: readonly ShardName[];
  /** How full the shard is, and what of one tenant is already there: one statement per shard. */
  survey(shard: ShardName, tenantId: string): Promise<{ load: ShardLoad & { events: number }; tenant: TenantSize }>;
  /** Every tenant with users or events on the shard. */
  tenants(shard: ShardName): Promise<Map<string, TenantSize>>;
};

const TENANTS_SQL =
  "SELECT tenant_id, sum(users) AS users, sum(events) AS events FROM (" +
  "SELECT tenant_id, users, 0 AS events FROM tenant_usage UNION ALL SELECT tenant_id, 0 AS users, count(*) AS events FROM change_events GROUP BY tenant_id" +
  ") GROUP BY tenant_id";

export function createShardSizes(shards: readonly ShardName[], query: ShardQuery, figures: Pick<CapacityFigures, "bytes">): ShardSizes {
  return {
    shards,
    async survey(shard, tenantId) {
      // `wrangler d1 execute` binds nothing: the id goes into the SQL only after the GUID pattern passed it.
      if (!GUID_PATTERN.test(tenantId)) throw new Error("refusing to put a tenant id that is not a GUID into SQL");
      const id = tenantId.toLowerCase();
      // The tenant's own user rows (indexed by tenant), not tenant_usage's running count: rows that reached the
      // shard by another path (a move, an import) count too. Each wrangler call costs seconds: one statement.
      const { rows, sizeAfter } = await query(
        shard,
        "SELECT (SELECT coalesce(sum(users), 0) FROM tenant_usage) AS users, (SELECT count(*) FROM change_events) AS events, " +
          `(SELECT count(*) FROM users WHERE tenant_id = '${id}') AS tenant_users, (SELECT count(*) FROM change_events WHERE tenant_id = '${id}') AS tenant_events`,
      );
      const n = (key: string) => Number(rows[0]?.[key] ?? 0);
      return {
        load: { shard, users: n("users"), events: n("events"), sizeBytes: sizeAfter ?? n("users") * figures.bytes.user + n("events") * figures.bytes.event },
        tenant: { users: n("tenant_users"), events: n("tenant_events") },
      };
    },
    async tenants(shard) {
      const { rows } = await query(shard, TENANTS_SQL);
      return new Map(rows.map((row) => [String(row.tenant_id), { users: Number(row.users ?? 0), events: Number(row.events ?? 0) }]));
    },
  };
}
