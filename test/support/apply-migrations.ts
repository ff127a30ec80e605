// Setup file: applies the drizzle-kit migrations to every shard of the test D1s (DB, DB_2) before each test
// file: every shard has the same schema.
import { applyD1Migrations, env } from "cloudflare:test";
import { shardBinding, shardNames } from "../../src/db/shards.ts";

for (const name of shardNames(env)) await applyD1Migrations(shardBinding(env, name) as D1Database, env.TEST_MIGRATIONS);
