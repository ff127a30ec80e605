// Which D1 database holds a tenant's users and change events: its shard (issue 15 §2). A shard is named by
// its D1 binding, so the same name works as `env[name]` in the Worker and as the binding wrangler takes
// (`wrangler d1 execute DB_2`, `d1 migrations apply DB_2`). The example said `users-2`; a binding name
// must be a JavaScript identifier, so shards are DB (the first database, which also holds the control plane)
// and DB_2, DB_3, ... DB_9999 (Cloudflare allows about 5,000 bindings per Worker). A record without a shard
// names none: its tenant lives in DB, as every tenant did before shards existed.
//
// shardOf is THE resolution of a tenant to its database's binding name: the Worker (src/worker.ts builds
// Deps.database on it) and the command-line tools both call it, and nothing else decides. No framework here.
import * as z from "zod";

export const DEFAULT_SHARD = "DB";

/** DB, or DB_<n> for n from 2 to 9999. */
export const SHARD_NAME_PATTERN = /^DB(?:_(?:[2-9]|[1-9][0-9]{1,3}))?$/;

export const ShardName = z
  .string()
  .regex(SHARD_NAME_PATTERN, "a shard is the D1 binding that holds the tenant: DB, or DB_2, DB_3, ... (wrangler.toml declares them)");
export type ShardName = z.infer<typeof ShardName>;

export const isShardName = (value: unknown): value is ShardName => typeof value === "string" && SHARD_NAME_PATTERN.test(value);

/** The binding name of the database that holds the tenant's users and outbox. */
export const shardOf = (record: { shard?: string | undefined }): ShardName => record.shard ?? DEFAULT_SHARD;

/** The number in the name: DB is 1, DB_2 is 2. */
export const shardNumber = (name: ShardName): number => (name === DEFAULT_SHARD ? 1 : Number(name.slice(DEFAULT_SHARD.length + 1)));

/** DB, DB_2, DB_3, ..., DB_10: by number, not by text. */
export const byShardNumber = (a: ShardName, b: ShardName): number => shardNumber(a) - shardNumber(b);
