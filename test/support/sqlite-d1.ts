// The gateway's D1 schema in an in-memory SQLite (node:sqlite, the engine D1 runs), for the command-line
// tools' tests on Node: every migration applied, and statements run as `wrangler d1 execute --json` would
// answer them (rows as plain objects keyed by column). test/http/activity-read-model.test.ts runs the same
// statements on the real local D1.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

const MIGRATIONS = join(import.meta.dirname, "..", "..", "migrations");

export function sqliteD1() {
  const db = new DatabaseSync(":memory:");
  for (const file of readdirSync(MIGRATIONS).filter((f) => f.endsWith(".sql")).sort()) {
    db.exec(readFileSync(join(MIGRATIONS, file), "utf8").replaceAll("--> statement-breakpoint", ""));
  }
  const plain = (row: object) => ({ ...row }) as Record<string, unknown>;
  return {
    db,
    /** What queryD1 answers: each statement's rows. */
    query: async (statements: string[]) => statements.map((sql) => db.prepare(sql).all().map(plain)),
    insert: (table: string, row: Record<string, string | number | null>) => {
      const columns = Object.keys(row);
      db.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`).run(...Object.values(row));
    },
  };
}
