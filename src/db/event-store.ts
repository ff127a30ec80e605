// The outbox table's writes. An event is inserted in the same batch as the user change it describes;
// the conditional forms insert it only if that change applied, so a lost race leaves no event behind.
import { and, desc, eq, getTableColumns, inArray, lte, or, sql, type SQL } from "drizzle-orm";
import { readGuarded } from "./storage-errors.ts";
import { IDS_PER_STATEMENT, type Db } from "./client.ts";
import { isDeadLettered, SETTLED } from "./event-states.ts";
import { oncePer } from "./once-per.ts";
import { columnPlaceholders, columnValues, template } from "./prepared.ts";
import { changeEvents, users, type NewChangeEventRow } from "./schema.ts";

const EVENT_COLUMNS = getTableColumns(changeEvents);

/** An event's values for the templates' placeholders, with the table's defaults applied. */
const eventValues = (event: NewChangeEventRow) => columnValues(EVENT_COLUMNS, { state: "pending", attempts: 0, ...event });

/** Pending, enqueued, or dead-lettered and being re-sent: what a successful send may mark enqueued. */
const stillToSend = or(inArray(changeEvents.state, ["pending", "enqueued"]), isDeadLettered);

/** The outbox's per-write statements as templates (src/db/prepared.ts), built once per Db. */
const templates = oncePer((db: Db) => {
  const placeholders = columnPlaceholders(EVENT_COLUMNS);
  // INSERT ... SELECT <the event's values> FROM users WHERE <guard> LIMIT 1: the row appears only if the
  // guarded user write applied. drizzle checks that the selected fields are exactly the table's columns, so
  // a column added later cannot silently shift the values.
  const conditionalInsert = (guard: SQL) =>
    template(db.$client, db.insert(changeEvents).select(db.select(placeholders).from(users).where(guard).limit(1) as never), EVENT_COLUMNS);
  // One user's settled events, narrowed by `guard`.
  const pruneSettled = (guard: SQL) =>
    template(
      db.$client,
      db
        .delete(changeEvents)
        .where(
          and(
            eq(changeEvents.tenantId, sql.placeholder("tenantId")),
            eq(changeEvents.userId, sql.placeholder("userId")),
            inArray(changeEvents.state, SETTLED),
            guard,
          ),
        ),
    );
  const tenantAndUser = sql`${users.tenantId} = ${sql.placeholder("guardTenantId")} AND ${users.id} = ${sql.placeholder("guardUserId")}`;
  return {
    ifWritten: conditionalInsert(sql`${tenantAndUser} AND ${users.lastEventId} = ${sql.placeholder("guardEventId")}`),
    ifAtVersion: conditionalInsert(sql`${tenantAndUser} AND ${users.version} = ${sql.placeholder("guardVersion")}`),
    // The index of a user's events (tenant_id, user_id, version) serves both. The guard lets a deletion's
    // batch prune only once its DELETE has applied.
    pruneUserSettled: pruneSettled(lte(changeEvents.version, sql.placeholder("uptoVersion"))),
    pruneGoneUserSettled: pruneSettled(
      sql`NOT EXISTS (SELECT 1 FROM ${users} WHERE ${users.tenantId} = ${sql.placeholder("tenantId")} AND ${users.id} = ${sql.placeholder("userId")})`,
    ),
    markOneEnqueued: template(
      db.$client,
      db
        .update(changeEvents)
        .set({ state: "enqueued", enqueuedAt: sql`${sql.placeholder("at")}` })
        .where(and(inArray(changeEvents.id, [sql.placeholder("id")]), stillToSend)),
    ),
  };
});

/** After an INSERT or UPDATE that sets last_event_id = event.id: inserts only if that write applied. */
export const insertEventIfWritten = (db: Db, event: NewChangeEventRow) =>
  templates(db).ifWritten({ ...eventValues(event), guardTenantId: event.tenantId, guardUserId: event.userId, guardEventId: event.id });

/** Before a DELETE ... WHERE version = v: inserts only if the user is still at version v. */
export const insertEventIfAtVersion = (db: Db, event: NewChangeEventRow, version: number) =>
  templates(db).ifAtVersion({ ...eventValues(event), guardTenantId: event.tenantId, guardUserId: event.userId, guardVersion: version });

/**
 * Settled events kept per user beyond the retention rule. Only a user's latest state matters to the core, and
 * operators trace recent changes; without a bound a tenant flipping one attribute at its rate limit filled the
 * shared outbox for the whole retention period (an attack test). Pending, enqueued and failed events are never
 * pruned: they have yet to reach the core.
 */
export const SETTLED_EVENTS_KEPT_PER_USER = 4;

/** In an update's batch: drops the user's settled events older than the latest SETTLED_EVENTS_KEPT_PER_USER versions. */
export const pruneOlderSettledEvents = (db: Db, tenantId: string, userId: string, newVersion: number) =>
  templates(db).pruneUserSettled({ tenantId, userId, uptoVersion: newVersion - SETTLED_EVENTS_KEPT_PER_USER });

/** In a deletion's batch, after the DELETE: a deleted user's settled events go (its deletion event stays until delivered). */
export const pruneSettledEventsOfDeletedUser = (db: Db, tenantId: string, userId: string) =>
  templates(db).pruneGoneUserSettled({ tenantId, userId });

/**
 * After a successful send: 'pending' becomes 'enqueued', and an 'enqueued' or dead-lettered event the cron
 * re-sent gets a fresh enqueued_at. A delivered, skipped or refused event keeps its state (the consumer may
 * have been faster, or an operator must decide).
 */
export async function markEnqueued(db: Db, ids: string[], at: string): Promise<void> {
  // One event (every SCIM write's relay): the prepared form of the same statement.
  if (ids.length === 1) {
    await db.$client.batch([templates(db).markOneEnqueued({ id: ids[0], at })]);
    return;
  }
  const statements = [];
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
    statements.push(
      db
        .update(changeEvents)
        .set({ state: "enqueued", enqueuedAt: at })
        .where(
          and(
            inArray(changeEvents.id, ids.slice(i, i + IDS_PER_STATEMENT)),
            stillToSend,
          ),
        ),
    );
  }
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}

/**
 * The manager a user had before `current.manager`, from its events up to `current.version` (newest first, on
 * the index of a user's events); null when it never had another one, or those events were pruned.
 */
export async function previousManagerOf(
  db: Db,
  tenantId: string,
  current: { id: string; version: number; manager: string | null },
): Promise<string | null> {
  const manager = sql<string | null>`json_extract(${changeEvents.payload}, '$.manager')`;
  const [row] = await readGuarded(() =>
    db
      .select({ manager })
      .from(changeEvents)
      .where(
        and(
          eq(changeEvents.tenantId, tenantId),
          eq(changeEvents.userId, current.id),
          lte(changeEvents.version, current.version),
          sql`${manager} IS NOT ${current.manager}`,
        ),
      )
      .orderBy(desc(changeEvents.version))
      .limit(1),
  );
  return row?.manager ?? null;
}
