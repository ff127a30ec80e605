// SQL against the gateway's D1 through `wrangler d1 execute DB --json --command`, so the operator command
// reaches the local database `npm start` uses and, with --remote --env, Cloudflare's, reusing the
// operator's `wrangler login`. Node only.
import type { ExecuteSql } from "../../db/tenant-ledger.ts";
import { parseJsonOutput, runWrangler, targetFlags, WranglerError, type RunWrangler, type WranglerResult, type WranglerTarget } from "./run.ts";
import { inlineStatement } from "./sql-literal.ts";

export type D1Target = WranglerTarget;

export const D1_BINDING = "DB";

export function d1Args(target: D1Target, sql: string): string[] {
  return [
    "d1",
    "execute",
    D1_BINDING,
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
  constructor(target: D1Target, table: string) {
    const where = [
      ...(target.persistTo ? ["--persist-to", target.persistTo] : []),
      ...(target.config ? ["--config", target.config] : []),
    ].join(" ");
    super(
      target.remote
        ? `The D1 database of environment "${target.env}" has no table "${table}": its migrations are not applied. Run \`npx wrangler d1 migrations apply ${D1_BINDING} --remote --env ${target.env}\` (\`npm run deploy -- --env ${target.env}\` applies them before deploying).`
        : `The local D1 database has no table "${table}": its migrations are not applied. Run \`npm run db:migrate${where ? ` -- ${where}` : ""}\` (\`npm start\` applies them too).`,
    );
    this.name = "MigrationsMissingError";
  }
}

/** Throws the error a failed `wrangler d1 execute` means. */
function failed(target: D1Target, result: WranglerResult): never {
  const table = /no such table: ([\w.]+)/.exec(`${result.stderr}\n${result.stdout}`)?.[1];
  throw table ? new MigrationsMissingError(target, table) : new WranglerError("d1 execute", result);
}

/** Runs one statement; returns its result rows. */
export async function queryD1<Row>(target: D1Target, sql: string, run: RunWrangler = runWrangler): Promise<Row[]> {
  const result = await run(d1Args(target, sql));
  if (result.status !== 0) failed(target, result);
  const parsed = parseJsonOutput(result.stdout) as { results?: Row[]; success?: boolean }[];
  const [first] = parsed;
  if (!first?.success) throw new WranglerError("d1 execute", result);
  return first.results ?? [];
}

/** Runs statements in one `wrangler d1 execute` call (locally one db.batch, i.e. one transaction); each one's rows. */
export async function executeD1(target: D1Target, statements: string[], run: RunWrangler = runWrangler): Promise<Record<string, unknown>[][]> {
  const result = await run(d1Args(target, statements.join(";\n")));
  if (result.status !== 0) failed(target, result);
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
