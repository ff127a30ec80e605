// The shard this run's test tenants live on (issue 15 §2): DB_2, the second shard, unless the run says
// otherwise (test/vitest.config.ts, TEST_TENANT_SHARD), so every HTTP test goes through a shard other than
// the first. allowTenant writes it into each record; a record naming DB is written without a shard, as every
// record before shards was. Tests that look at a tenant's rows read them here (testD1), not in env.DB.
import { env } from "cloudflare:test";
import { shardBinding, shardNames } from "../../src/db/shards.ts";
import { DEFAULT_SHARD, type ShardName } from "../../src/tenants/shard.ts";

export const TEST_SHARD: ShardName = (env.TEST_TENANT_SHARD as ShardName | undefined) ?? DEFAULT_SHARD;

/** What a record written by a test carries to put its tenant on this run's shard. */
export const onTestShard = (): { shard?: ShardName } => (TEST_SHARD === DEFAULT_SHARD ? {} : { shard: TEST_SHARD });

/** The D1 binding of a shard of the test Worker's env. */
export function d1Of(name: ShardName): D1Database {
  const binding = shardBinding(env, name);
  if (!binding) throw new Error(`the test env has no shard ${name} (it has ${shardNames(env).join(", ")})`);
  return binding;
}

/** Where the test tenants' users and events are. */
export const testD1: D1Database = d1Of(TEST_SHARD);

/** The Worker's env with the test tenants' database replaced (a failing or counting proxy of it). */
export const withTestD1 = (d1: D1Database, base: Env = env): Env => ({ ...base, [TEST_SHARD]: d1 });

/** A shard other than the test tenants' own: to check that nothing of theirs lands there. */
export const OTHER_SHARD: ShardName = TEST_SHARD === DEFAULT_SHARD ? "DB_2" : DEFAULT_SHARD;
