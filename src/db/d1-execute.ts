// Statements with positional parameters run on a D1 binding as one batch (D1 runs a batch as one
// transaction): how the Worker runs the SQL written once for the Worker and the CLI (tenant-ledger.ts).
import type { ExecuteSql } from "./tenant-ledger.ts";

export const executeOnD1 =
  (d1: D1Database): ExecuteSql =>
  async (statements) => {
    const results = await d1.batch<Record<string, unknown>>(statements.map((s) => d1.prepare(s.sql).bind(...s.params)));
    return results.map((result) => result.results ?? []);
  };
