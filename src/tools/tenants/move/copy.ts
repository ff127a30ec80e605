// Copying a tenant's rows from one shard to another in pages, and comparing both sides (move.ts). Through the
// same statement port the tenants CLI uses for D1 (`wrangler d1 execute <shard>`, or a Workers test's D1).
import type { ShardName } from "../../../tenants/shard.ts";
import { deleteKeysSql, MOVED_TABLES, pageSql, rowsByKeySql, tenantLiteral, UNSETTLED, upsertSql, type MovedTable } from "./sql.ts";

/** Runs statements as one batch on a shard; each one's result rows. */
export type ExecuteOn = (shard: ShardName, statements: string[]) => Promise<Record<string, unknown>[][]>;

/** Rows read per page; a page of users at the 8 KiB cap is a few MB of SQL text, split by upsertSql. */
export const PAGE_ROWS = 200;

/** What of each table a move carries: every user, cursor and count; only undelivered events. */
export const CARRIED: Record<MovedTable, string> = { users: "", change_events: UNSETTLED, delivery_cursors: "", tenant_usage: "", tenant_activity_counts: "", tenant_refusals: "" };

/** Every page of the tenant's rows of `table` on `shard` matching `where`, in key order. */
export async function* pages(execute: ExecuteOn, shard: ShardName, table: MovedTable, tenantId: string, where: string, only?: readonly string[], pageRows = PAGE_ROWS) {
  const { key } = MOVED_TABLES[table];
  let after: string | undefined;
  for (;;) {
    const [rows = []] = await execute(shard, [pageSql(table, tenantId, after, pageRows, where, only)]);
    if (rows.length === 0) return;
    yield rows;
    after = String(rows[rows.length - 1]![key]);
    if (rows.length < pageRows) return;
  }
}

/** Upserts the tenant's rows of `table` matching `where` from one shard into the other; how many. */
export async function copyRows(execute: ExecuteOn, from: ShardName, to: ShardName, table: MovedTable, tenantId: string, where: string): Promise<number> {
  let copied = 0;
  for await (const rows of pages(execute, from, table, tenantId, where)) {
    await execute(to, upsertSql(table, rows));
    copied += rows.length;
  }
  return copied;
}

/** Key -> version (version.ts of MOVED_TABLES) of the tenant's rows of `table` on a shard matching `where`. */
async function versionsOf(execute: ExecuteOn, shard: ShardName, table: MovedTable, tenantId: string, where: string): Promise<Map<string, string>> {
  const { key, version } = MOVED_TABLES[table];
  const versions = new Map<string, string>();
  for await (const rows of pages(execute, shard, table, tenantId, where, [key, version])) for (const row of rows) versions.set(String(row[key]), String(row[version]));
  return versions;
}

/**
 * Makes the target's carried rows of `table` what the source's are: copies each row that is missing there or
 * at another version (users.version, a cursor's last_version, an event's state), and drops each row the
 * source no longer carries (a user deleted, an event delivered). Versions, not timestamps: no clock of a
 * Worker or of this tool is trusted. How many rows were copied and dropped.
 */
export async function syncRows(execute: ExecuteOn, from: ShardName, to: ShardName, table: MovedTable, tenantId: string): Promise<{ copied: number; dropped: number }> {
  const source = await versionsOf(execute, from, table, tenantId, CARRIED[table]);
  const target = await versionsOf(execute, to, table, tenantId, "");
  const changed = [...source].filter(([key, version]) => target.get(key) !== version).map(([key]) => key);
  for (let i = 0; i < changed.length; i += PAGE_ROWS) {
    const [rows = []] = await execute(from, [rowsByKeySql(table, tenantId, changed.slice(i, i + PAGE_ROWS))]);
    if (rows.length) await execute(to, upsertSql(table, rows));
  }
  const vanished = [...target.keys()].filter((key) => !source.has(key));
  if (vanished.length) await execute(to, deleteKeysSql(table, tenantId, vanished));
  return { copied: changed.length, dropped: vanished.length };
}

/**
 * After the flip, the queue consumer still records deliveries of messages that name the source shard there:
 * each event the source has settled (delivered, skipped, failed) and the target holds in another state is
 * copied over, so the target does not send it again. How many.
 */
export async function carryOutcomes(execute: ExecuteOn, from: ShardName, to: ShardName, tenantId: string): Promise<number> {
  const settled = await versionsOf(execute, from, "change_events", tenantId, "state IN ('delivered', 'skipped', 'failed')");
  const target = await versionsOf(execute, to, "change_events", tenantId, "");
  const changed = [...settled].filter(([key, state]) => target.has(key) && target.get(key) !== state).map(([key]) => key);
  for (let i = 0; i < changed.length; i += PAGE_ROWS) {
    const [rows = []] = await execute(from, [rowsByKeySql("change_events", tenantId, changed.slice(i, i + PAGE_ROWS))]);
    if (rows.length) await execute(to, upsertSql("change_events", rows));
  }
  return changed.length;
}

export type TableSummary = { rows: number; sha256: string };

const sha256 = async (text: string) =>
  Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))), (b) => b.toString(16).padStart(2, "0")).join("");

/** The tenant's keys of `table` on a shard (all rows, or those matching `where`), in key order. */
export async function keysOf(execute: ExecuteOn, shard: ShardName, table: MovedTable, tenantId: string, where = ""): Promise<string[]> {
  const { key } = MOVED_TABLES[table];
  const keys: string[] = [];
  for await (const rows of pages(execute, shard, table, tenantId, where, [key])) for (const row of rows) keys.push(String(row[key]));
  return keys;
}

/** Count and SHA-256 chain of `columns` of the rows with these keys (sorted), read from one shard. */
export async function summariseKeys(execute: ExecuteOn, shard: ShardName, table: MovedTable, tenantId: string, keys: string[], columns: readonly string[]): Promise<TableSummary> {
  const { key } = MOVED_TABLES[table];
  const sorted = [...keys].sort();
  let digest = "";
  let rows = 0;
  for (let i = 0; i < sorted.length; i += PAGE_ROWS) {
    const [page = []] = await execute(shard, [rowsByKeySql(table, tenantId, sorted.slice(i, i + PAGE_ROWS))]);
    page.sort((a, b) => (String(a[key]) < String(b[key]) ? -1 : 1));
    digest = await sha256(digest + page.map((row) => `${JSON.stringify(columns.map((c) => row[c] ?? null))}\n`).join(""));
    rows += page.length;
  }
  return { rows, sha256: digest };
}

/**
 * Count and a SHA-256 chain over every carried column of the tenant's carried rows of `table`, in key order:
 * each page's digest covers the previous digest and the page, so memory stays one page whatever the tenant.
 */
export async function summarise(execute: ExecuteOn, shard: ShardName, table: MovedTable, tenantId: string): Promise<TableSummary> {
  let digest = "";
  let rows = 0;
  for await (const page of pages(execute, shard, table, tenantId, CARRIED[table])) {
    const text = digest + page.map((row) => `${JSON.stringify(MOVED_TABLES[table].columns.map((c) => row[c] ?? null))}\n`).join("");
    const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    digest = Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
    rows += page.length;
  }
  return { rows, sha256: digest };
}

/** Counts of the tenant's rows on a shard, per table (all events, settled or not). */
export async function countRows(execute: ExecuteOn, shard: ShardName, tenantId: string): Promise<Record<MovedTable, number>> {
  const id = tenantLiteral(tenantId);
  const tables = Object.keys(MOVED_TABLES) as MovedTable[];
  const [rows = []] = await execute(shard, [`SELECT ${tables.map((t) => `(SELECT count(*) FROM ${t} WHERE tenant_id = ${id}) AS ${t}`).join(", ")}`]);
  return Object.fromEntries(tables.map((t) => [t, Number(rows[0]?.[t] ?? 0)])) as Record<MovedTable, number>;
}
