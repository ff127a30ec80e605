// The ledger's SQL (src/db/tenant-ledger.ts) on Node's own SQLite, in memory, with the project's migrations
// applied: what the CLI tests run the commands on, so they exercise the very statements that reach D1.
// Each batch is one transaction, as D1 and `wrangler d1 execute` run it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { createSqlLedger, type ExecuteSql } from "../../src/db/tenant-ledger.ts";
import type { TenantLedger } from "../../src/tenants/ledger.ts";

const MIGRATIONS = join(import.meta.dirname, "..", "..", "migrations");

/** In memory, or in a file that a stand-in for `wrangler d1 execute` opens too (production-writes.test.ts). */
export function createSqliteExecute(path = ":memory:"): { execute: ExecuteSql; db: DatabaseSync } {
  const db = new DatabaseSync(path);
  for (const file of readdirSync(MIGRATIONS).filter((f) => f.endsWith(".sql")).sort()) {
    db.exec(readFileSync(join(MIGRATIONS, file), "utf8").replaceAll("--> statement-breakpoint", ""));
  }
  const execute: ExecuteSql = async (statements) => {
    db.exec("BEGIN");
    try {
      const results = statements.map((s) => db.prepare(s.sql).all(...s.params) as Record<string, unknown>[]);
      db.exec("COMMIT");
      return results;
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  };
  return { execute, db };
}

export const createSqliteLedger = (): TenantLedger => createSqlLedger(createSqliteExecute().execute);
