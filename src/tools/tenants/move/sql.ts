// The SQL text a move between shards runs (move.ts). `wrangler d1 execute --command` binds nothing, so every
// value goes into the text as a literal: a tenant id only after the GUID pattern passed it, numbers only as
// finite numbers, and every string (a stored SCIM resource may hold quotes, backslashes, control characters)
// as hex, CAST(X'...' AS TEXT), so no character of it is ever read as SQL. Column names come from the tables
// this module names, never from the rows. Pure, no node: imports (the Workers tests run it on their D1s).
import { GUID_PATTERN } from "../../../tenants/record.ts";

/** D1 refuses a statement longer than 100,000 bytes; keep each one below that. */
export const MAX_STATEMENT_CHARS = 90_000;

/** What a move copies per tenant, each in the order of its key (keyset paging). */
export const MOVED_TABLES = {
  // `version`: what tells a changed row from an unchanged one when the move syncs (no clock is trusted).
  users: { key: "id", version: "version", columns: ["id", "tenant_id", "user_name", "mobile", "external_id", "active", "manager", "version", "last_event_id", "resource", "created_at", "updated_at"] },
  change_events: {
    key: "id",
    version: "state",
    columns: ["id", "tenant_id", "user_id", "type", "version", "occurred_at", "payload", "state", "enqueued_at", "delivered_at", "attempts", "last_status", "last_error", "failed_at"],
  },
  delivery_cursors: { key: "user_id", version: "last_version", columns: ["tenant_id", "user_id", "last_version", "last_event_id", "delivered_at"] },
  tenant_usage: { key: "tenant_id", version: "users", columns: ["tenant_id", "users"] },
  // Issue 14's activity lives beside the tenant's users, so it moves with them. Its rows are written off the
  // hot path and not fenced: what a request records on the source after the sync stays behind.
  tenant_activity_counts: { key: "bucket || '|' || kind || '|' || outcome", version: "count", columns: ["tenant_id", "bucket", "kind", "outcome", "count", "last_at"] },
  tenant_refusals: { key: "request_id", version: "at", columns: ["tenant_id", "request_id", "at", "kind", "status", "scim_type", "reason", "detail", "sent"] },
} as const;
export type MovedTable = keyof typeof MOVED_TABLES;

/** Events a move carries: the undelivered ones. Delivered and skipped events stay behind, pruned with the rest. */
export const UNSETTLED = "state NOT IN ('delivered', 'skipped')";

export function tenantLiteral(tenantId: string): string {
  const id = tenantId.toLowerCase();
  if (!GUID_PATTERN.test(id)) throw new Error("refusing to put a tenant id that is not a GUID into SQL");
  return `'${id}'`;
}

const hex = (text: string) => Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("");

/** A value as a SQL literal that reads back as the same value. */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error("refusing a number that is not finite");
    return String(value);
  }
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "string") return `CAST(X'${hex(value)}' AS TEXT)`;
  throw new Error(`refusing a value of type ${typeof value}`);
}

/** One page of a tenant's rows of `table` after `after` (its key), in key order; all columns, or those named. */
export function pageSql(table: MovedTable, tenantId: string, after: string | undefined, limit: number, where = "", only?: readonly string[]): string {
  const { key } = MOVED_TABLES[table];
  // The key is always selected: a composite key is an expression, read back under its own text.
  const named: readonly string[] = only ?? MOVED_TABLES[table].columns;
  const columns = named.includes(key) ? named : [...named, key];
  const conditions = [`tenant_id = ${tenantLiteral(tenantId)}`, ...(after === undefined ? [] : [`${key} > ${literal(after)}`]), ...(where ? [where] : [])];
  return `SELECT ${columns.join(", ")} FROM ${table} WHERE ${conditions.join(" AND ")} ORDER BY ${key} LIMIT ${Math.trunc(limit)}`;
}

/** INSERT OR REPLACE statements for rows (ids, versions and event ids kept), each below MAX_STATEMENT_CHARS. */
export function upsertSql(table: MovedTable, rows: Record<string, unknown>[]): string[] {
  const { columns } = MOVED_TABLES[table];
  const head = `INSERT OR REPLACE INTO ${table} (${columns.join(", ")}) VALUES `;
  const statements: string[] = [];
  let values: string[] = [];
  let length = head.length;
  for (const row of rows) {
    const tuple = `(${columns.map((c) => literal(row[c])).join(", ")})`;
    if (values.length && length + tuple.length + 1 > MAX_STATEMENT_CHARS) {
      statements.push(head + values.join(","));
      values = [];
      length = head.length;
    }
    values.push(tuple);
    length += tuple.length + 1;
  }
  if (values.length) statements.push(head + values.join(","));
  return statements;
}

/** The tenant's rows of `table` whose keys are listed (at most 200), all columns and the key. */
export function rowsByKeySql(table: MovedTable, tenantId: string, keys: string[]): string {
  const { key, columns } = MOVED_TABLES[table];
  return `SELECT ${[...new Set<string>([...columns, key])].join(", ")} FROM ${table} WHERE tenant_id = ${tenantLiteral(tenantId)} AND ${key} IN (${keys.map(literal).join(", ")})`;
}

/** Deletes rows of the tenant by key. */
export function deleteKeysSql(table: MovedTable, tenantId: string, keys: string[]): string[] {
  const { key } = MOVED_TABLES[table];
  const statements: string[] = [];
  for (let i = 0; i < keys.length; i += 200) {
    statements.push(`DELETE FROM ${table} WHERE tenant_id = ${tenantLiteral(tenantId)} AND ${key} IN (${keys.slice(i, i + 200).map(literal).join(", ")})`);
  }
  return statements;
}

/** Deletes at most `limit` of the tenant's rows of `table` (a chunk of the old shard's cleanup). */
export const deleteChunkSql = (table: MovedTable, tenantId: string, limit: number, where = ""): string =>
  `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE tenant_id = ${tenantLiteral(tenantId)}${where ? ` AND ${where}` : ""} LIMIT ${Math.trunc(limit)})`;
