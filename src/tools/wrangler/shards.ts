// The shards an environment of wrangler.toml declares (issue 15 §2): its D1 bindings named DB, DB_2, ...
// (src/tenants/shard.ts), in order. The tools that migrate, deploy, start, place and move tenants read them
// here, so they all see the same list the Worker finds in its env. Node only (it reads wrangler's output).
import { readFileSync } from "node:fs";
import { parse } from "smol-toml";
import { byShardNumber, DEFAULT_SHARD, isShardName, type ShardName } from "../../tenants/shard.ts";
import type { WranglerTarget } from "./run.ts";

export type D1Declaration = { binding?: string; database_name?: string; database_id?: string; migrations_dir?: string };
export type ShardedEnvironment = { d1_databases?: D1Declaration[] };

/** Where every shard's migrations live: one schema for all. */
export const MIGRATIONS_DIR = "migrations";

export const shardsOf = (environment: ShardedEnvironment): ShardName[] =>
  (environment.d1_databases ?? [])
    .map((d) => d.binding)
    .filter(isShardName)
    .sort(byShardNumber);

/** The shards of the wrangler.toml a command targets (--config), in its environment (--env) or at its top level. */
export function readShards(target: Pick<WranglerTarget, "config" | "env">): ShardName[] {
  const config = parse(readFileSync(target.config ?? "wrangler.toml", "utf8")) as ShardedEnvironment & { env?: Record<string, ShardedEnvironment> };
  const environment = target.env ? config.env?.[target.env] : config;
  if (!environment) throw new Error(`wrangler.toml has no environment "${target.env}"`);
  return shardsOf(environment);
}

/** What is wrong with an environment's shards, for the deploy to refuse: none, or each problem named. */
export function shardProblems(environment: ShardedEnvironment): string[] {
  const shards = environment.d1_databases?.filter((d) => isShardName(d.binding)) ?? [];
  const problems: string[] = [];
  if (!shards.some((d) => d.binding === DEFAULT_SHARD)) problems.push(`no D1 binding ${DEFAULT_SHARD} (the first shard, which every tenant without a shard uses)`);
  for (const d of shards) {
    if (d.migrations_dir !== MIGRATIONS_DIR) problems.push(`D1 ${d.binding} has migrations_dir ${JSON.stringify(d.migrations_dir)}, not "${MIGRATIONS_DIR}" (every shard has the same schema)`);
  }
  const names = shards.map((d) => d.database_name);
  for (const name of new Set(names)) if (names.filter((n) => n === name).length > 1) problems.push(`two shards share the database_name ${JSON.stringify(name)}`);
  return problems;
}

/** `wrangler d1 migrations list <shard>` says so when the shard has every migration. */
export const migrationsCurrent = (output: string): boolean => /No migrations to apply/.test(output);
