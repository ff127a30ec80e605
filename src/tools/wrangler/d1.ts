// SQL against one of the gateway's D1 shards through `wrangler d1 execute <DB, DB_2, ...> --json --command`,
// so the operator command reaches the local databases `npm start` uses and, with --remote --env,
// Cloudflare's, reusing the operator's `wrangler login`. Node only.
import { DEFAULT_SHARD, type ShardName } from "../../tenants/shard.ts";
import type { ExecuteSql } from "../../db/tenant-ledger.ts";
import { parseJsonOutput, runWrangler, targetFlags, WranglerError, type RunWrangler, type WranglerResult, type WranglerTarget } from "./run.ts";
import { inlineStatement } from "./sql-literal.ts";

export type D1Target = WranglerTarget;

/** The first shard; every command names the shard it means, this one when it names none. */
export const D1_BINDING = DEFAULT_SHARD;

export function d1Args(target: D1Target, sql: string, shard: ShardName = D1_BINDING): string[] {
  return [
    "d1",
    "execute",
    shard,
    ...targetFlags(target),
    "--json",
    // No prompt can be answered (stdin is closed); remote imports ask one, plain commands do not.
    "--yes",
    "--command",
    sql,
  ];
}

/**
 * wrangler's "no such table" (a database whose migrations were never applied, or not the latest ones) as
 * what to do about it (issue 14 §5), instead of SQLite's words.
 */
export class MigrationsMissingError extends Error {
  constructor(target: D1Target, table: string, shard: ShardName = D1_BINDING) {
    const where = [
      ...(target.persistTo ? ["--persist-to", target.persistTo] : []),
      ...(target.config ? ["--config", target.config] : []),
    ].join(" ");
    super(
      target.remote
        ? `The D1 database of environment "${target.env}" has no table "${table}": its migrations are not applied. Run \`npx wrangler d1 migrations apply ${shard} --remote --env ${target.env}\` (\`npm run deploy -- --env ${target.env}\` applies them before deploying).`
        : `The local D1 database ${shard} has no table "${table}": its migrations are not applied. Run \`npm run db:migrate${where ? ` -- ${where}` : ""}\` (\`npm start\` applies them too).`,
    );
    this.name = "MigrationsMissingError";
  }
}

/** Throws the error a failed `wrangler d1 execute` means. */
function failed(target: D1Target, result: WranglerResult, shard: ShardName = D1_BINDING): never {
  const table = /no such table: ([\w.]+)/.exec(`${result.stderr}\n${result.stdout}`)?.[1];
  throw table ? new MigrationsMissingError(target, table, shard) : new WranglerError("d1 execute", result);
}

/** Runs one statement; returns its result rows. */
export async function queryD1<Row>(target: D1Target, sql: string, run: RunWrangler = runWrangler, shard: ShardName = D1_BINDING): Promise<Row[]> {
  return (await queryD1WithMeta<Row>(target, sql, run, shard)).rows;
}

/** What D1 says of a statement: remotely its size_after (the database's bytes) among others; locally less. */
export type D1Meta = { size_after?: number; duration?: number };

/** Runs one statement; returns its result rows and D1's meta. */
export async function queryD1WithMeta<Row>(target: D1Target, sql: string, run: RunWrangler = runWrangler, shard: ShardName = D1_BINDING): Promise<{ rows: Row[]; meta: D1Meta }> {
  const result = await run(d1Args(target, sql, shard));
  if (result.status !== 0) failed(target, result, shard);
  const parsed = parseJsonOutput(result.stdout) as { results?: Row[]; success?: boolean; meta?: D1Meta }[];
  const [first] = parsed;
  if (!first?.success) throw new WranglerError("d1 execute", result);
  return { rows: first.results ?? [], meta: first.meta ?? {} };
}

/** Runs statements in one `wrangler d1 execute` call (locally one db.batch, i.e. one transaction); each one's rows. */
export async function executeD1(
  target: D1Target,
  statements: string[],
  run: RunWrangler = runWrangler,
  shard: ShardName = D1_BINDING,
): Promise<Record<string, unknown>[][]> {
  const result = await run(d1Args(target, statements.join(";\n"), shard));
  if (result.status !== 0) failed(target, result, shard);
  const parsed = parseJsonOutput(result.stdout) as { results?: Record<string, unknown>[]; success?: boolean }[];
  if (parsed.length !== statements.length || parsed.some((r) => !r.success)) throw new WranglerError("d1 execute", result);
  return parsed.map((r) => r.results ?? []);
}

/**
 * The Worker's parameterised SQL (src/db/tenant-ledger.ts) through wrangler: the values inlined as literals
 * (sql-literal.ts), the statements run as one batch. DB is the first database, the control plane's.
 */
export const executeD1Sql =
  (target: D1Target, run: RunWrangler = runWrangler): ExecuteSql =>
  (statements) =>
    executeD1(target, statements.map(inlineStatement), run);
