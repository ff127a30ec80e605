// The D1 side of renaming or removing a manager (`npm run tenants -- update --rename-manager OLD=NEW`,
// `--remove-manager`, and the same forms of the web console): count the users stored under a manager's names,
// and move them to the new name with one change event each, as the Worker would record a write
// (users/change-event.ts builds the event, so the core learns the new manager exactly as it learns any
// change; the cron forwards 'pending' events).
//
// The CLI's SQL goes through `wrangler d1 execute --command`, which takes no bound parameters; the console
// runs the same text on the tenant's database. So nothing free-form
// is ever spliced in as text: names, JSON and ISO times go in as hex blobs (CAST(X'..' AS TEXT)), and ids
// are checked against the GUID pattern first. No node: imports, so the Workers tests run the very same
// statements against their D1 (test/http/manager-rename.test.ts).
//
// Concurrency with Entra's own writes is settled as the Worker settles it: each user's UPDATE applies only
// at the version read (`WHERE version = v`), and its event is inserted only if that UPDATE applied (the
// event's id is the user's new last_event_id). A user changed in between is simply read again next pass.
import type { UserRow } from "../db/schema.ts";
import type { ManagerUsers } from "../tenants/manager-users.ts";
import { GUID_PATTERN, type TenantRecord } from "../tenants/record.ts";
import { buildChangeEvent, changeTypeOf } from "./change-event.ts";
import { shardOf, type ShardName } from "../tenants/shard.ts";

/** Runs statements as one batch (one transaction) on a shard and answers each one's result rows. */
export type ExecuteStatements = (shard: ShardName, statements: string[]) => Promise<Record<string, unknown>[][]>;


/** Users read per pass; each pass is a few `wrangler d1 execute` calls. */
const PAGE = 500;
/**
 * SQL characters per call. One argument of a process may hold at most 128 KiB on Linux, so a large move
 * is several batches; each user's UPDATE and its event always share one.
 */
const MAX_SQL_CHARS = 96_000;

export function createManagerUsers(execute: ExecuteStatements, deps: { now: () => Date; newId: () => string }): ManagerUsers {
  return {
    async count(tenantId, record, names) {
      const [rows] = await execute(shardOf(record), [`SELECT count(*) AS users FROM users WHERE ${underNames(tenantId, names)}`]);
      return Number(rows?.[0]?.users ?? 0);
    },
    async move(tenantId, record, from, to) {
      // The tenant's own shard, as its record names it (tenants/shard.ts).
      const shard = shardOf(record);
      let moved = 0;
      for (;;) {
        const [rows = []] = await execute(shard, [selectSql(tenantId, from, to)]);
        if (rows.length === 0) break;
        const at = iso(deps.now());
        const pairs = rows.map((row) => moveStatements(toUserRow(row, tenantId), record, to, at, guid(deps.newId(), "event id")));
        let movedNow = 0;
        for (const chunk of chunks(pairs)) {
          const results = await execute(shard, chunk.flat());
          // Each pair is [UPDATE ... RETURNING id, INSERT]; a returned row means the user moved.
          movedNow += results.filter((result, index) => index % 2 === 0 && result.length > 0).length;
        }
        moved += movedNow;
        // Every user read was changed by someone else meanwhile: stop rather than spin; the count says so.
        if (movedNow === 0) break;
      }
      return { moved, remaining: await this.count(tenantId, record, from.filter((name) => lower(name) !== lower(to))) };
    },
  };
}

const lower = (s: string) => s.toLowerCase();

/** `tenant_id = ... AND lower(manager) IN (...)`: SQLite's lower() folds ASCII only, as lower() here does. */
function underNames(tenantId: string, names: readonly string[]): string {
  if (names.length === 0) return "0";
  return `tenant_id = '${guid(tenantId, "tenant id")}' AND lower(manager) IN (${names.map((n) => `lower(${text(n)})`).join(", ")})`;
}

function selectSql(tenantId: string, from: readonly string[], to: string): string {
  return (
    "SELECT id, user_name, mobile, external_id, active, manager, version, last_event_id, resource, created_at, updated_at " +
    `FROM users WHERE ${underNames(tenantId, from)} AND manager IS NOT ${text(to)} ORDER BY id LIMIT ${PAGE}`
  );
}

/** One user's move: the versioned UPDATE, and its event inserted only if that UPDATE applied. */
export function moveStatements(current: UserRow, record: TenantRecord, to: string, at: string, eventId: string): [string, string] {
  const next: UserRow = { ...current, manager: to, version: current.version + 1, lastEventId: eventId, updatedAt: at };
  const event = buildChangeEvent(eventId, changeTypeOf(current, next), next, { tenantId: current.tenantId, record }, at, current);
  const tenant = `'${guid(current.tenantId, "tenant id")}'`;
  const id = `'${guid(current.id, "user id")}'`;
  return [
    `UPDATE users SET manager = ${text(to)}, version = ${next.version}, last_event_id = '${eventId}', updated_at = ${text(at)} ` +
      // Not while the tenant moves between shards (db/fence-store.ts): the move's copy must stay its only state.
      `WHERE tenant_id = ${tenant} AND id = ${id} AND version = ${integer(current.version)} ` +
      `AND NOT EXISTS (SELECT 1 FROM tenant_fences WHERE tenant_id = ${tenant}) RETURNING id`,
    "INSERT INTO change_events (id, tenant_id, user_id, type, version, occurred_at, payload, state, attempts) " +
      `SELECT '${eventId}', ${tenant}, ${id}, '${event.type}', ${next.version}, ${text(at)}, ${text(JSON.stringify(event.payload))}, 'pending', 0 ` +
      `FROM users WHERE tenant_id = ${tenant} AND id = ${id} AND last_event_id = '${eventId}'`,
  ];
}

/** A row as D1 returns it (snake_case columns, JSON as text, booleans as 0/1) as the Worker's UserRow. */
function toUserRow(row: Record<string, unknown>, tenantId: string): UserRow {
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  return {
    id: String(row.id),
    tenantId,
    userName: String(row.user_name),
    mobile: String(row.mobile),
    externalId: str(row.external_id),
    active: row.active === 1 || row.active === true,
    manager: str(row.manager),
    version: integer(Number(row.version)),
    lastEventId: String(row.last_event_id),
    resource: typeof row.resource === "string" ? (JSON.parse(row.resource) as Record<string, unknown>) : (row.resource as Record<string, unknown>),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
  };
}

function* chunks(pairs: [string, string][]): Generator<[string, string][]> {
  let chunk: [string, string][] = [];
  let size = 0;
  for (const pair of pairs) {
    const length = pair[0].length + pair[1].length + 4;
    if (chunk.length && size + length > MAX_SQL_CHARS) {
      yield chunk;
      chunk = [];
      size = 0;
    }
    chunk.push(pair);
    size += length;
  }
  if (chunk.length) yield chunk;
}

/** Any text as an SQL expression with nothing of it in the statement's syntax: a hex blob cast to TEXT. */
function text(value: string): string {
  const hex = Array.from(new TextEncoder().encode(value), (b) => b.toString(16).padStart(2, "0")).join("");
  return `CAST(X'${hex}' AS TEXT)`;
}

function guid(value: string, what: string): string {
  if (!GUID_PATTERN.test(value)) throw new Error(`refusing to put a ${what} that is not a GUID into SQL`);
  return value.toLowerCase();
}

function integer(value: number): number {
  if (!Number.isSafeInteger(value)) throw new Error("refusing to put a version that is not an integer into SQL");
  return value;
}

const iso = (date: Date) => date.toISOString();
