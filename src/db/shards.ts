// The one place the Worker turns a shard's name into its D1 binding (issue 15 §2). Everything else asks
// Deps (src/deps.ts): database(env, tenant) for a tenant's shard (tenants/shard.ts shardOf names it),
// shard(env, name) for the queue consumer and the cron, shards(env) for what sweeps every database. A test
// (test/node/shard-bindings.test.ts) reads every other module and fails if one reads env.DB* itself.
//
// The shards are the bindings wrangler.toml declares under shard names (DB, DB_2, ...): the Worker finds them
// in its env rather than in a list of its own, so a shard is added by declaring it, and a name cannot be
// listed without a database behind it. A record or a message naming a shard this Worker does not have is a
// configuration fault, not the tenant's: the caller answers 503 (Entra retries) or retries the message.
import { unavailable } from "../scim/scim-error.ts";
import { byShardNumber, isShardName, type ShardName } from "../tenants/shard.ts";
import { openDb, type Db } from "./client.ts";

/** Logged as the storageError of a request whose tenant's record names a shard this Worker is not bound to. */
export const SHARD_NOT_BOUND = "shard_not_bound";

/** What the Worker's env holds for storage: the bindings, by name. */
export type ShardEnv = object;

const isD1 = (value: unknown): value is D1Database => typeof value === "object" && value !== null && typeof (value as D1Database).prepare === "function";

/** The D1 binding of a shard, or undefined when this Worker has no such binding. */
export function shardBinding(env: ShardEnv, name: string): D1Database | undefined {
  if (!isShardName(name) || !Object.hasOwn(env, name)) return undefined;
  const binding = (env as Record<string, unknown>)[name];
  return isD1(binding) ? binding : undefined;
}

/** Every shard this Worker is bound to, in order: DB, DB_2, DB_3, ... */
export const shardNames = (env: ShardEnv): ShardName[] =>
  Object.keys(env)
    .filter((name) => shardBinding(env, name) !== undefined)
    .sort(byShardNumber);

/** The shard's Drizzle handle; a name without a binding is our outage (503), never the caller's fault. */
export function openShard(env: ShardEnv, name: ShardName): Db {
  const binding = shardBinding(env, name);
  if (!binding) {
    const failure = unavailable("The database that holds this tenant's users is not reachable right now; Entra ID retries automatically.");
    // For the request log (http/error-response.ts): the name of the fault, never the tenant's data.
    (failure as { storageError?: string }).storageError = SHARD_NOT_BOUND;
    throw failure;
  }
  return openDb(binding);
}
