// The outbox table's writes. An event is inserted in the same db.batch as the user change it describes;
// the conditional forms insert it only if that change applied, so a lost race leaves no event behind.
import { and, getTableColumns, inArray, or, sql, type SQL } from "drizzle-orm";
import { isDeadLettered } from "./delivery-store.ts";
import type { Db } from "./client.ts";
import { changeEvents, users, type NewChangeEventRow } from "./schema.ts";

export const insertEvent = (db: Db, event: NewChangeEventRow) => db.insert(changeEvents).values(event);

// INSERT ... SELECT <the event's values> FROM users WHERE <guard> LIMIT 1: the row appears only if the
// guarded user write applied. drizzle checks that the selected fields are exactly the table's columns, so a
// column added later cannot silently shift the values.
const conditionalInsert = (db: Db, event: NewChangeEventRow, guard: SQL) => {
  const row: Record<string, unknown> = { state: "pending", attempts: 0, ...event, payload: JSON.stringify(event.payload) };
  const fields = Object.fromEntries(Object.keys(getTableColumns(changeEvents)).map((key) => [key, sql`${row[key] ?? null}`]));
  // The field map is built from the columns, so its static type is a plain record; drizzle's runtime check
  // (same keys, same order as the table) is what guarantees the shape.
  return db.insert(changeEvents).select(db.select(fields).from(users).where(guard).limit(1) as never);
};

/** After an UPDATE ... SET last_event_id = event.id: inserts only if that update applied. */
export const insertEventIfWritten = (db: Db, event: NewChangeEventRow) =>
  conditionalInsert(
    db,
    event,
    sql`${users.tenantId} = ${event.tenantId} AND ${users.id} = ${event.userId} AND ${users.lastEventId} = ${event.id}`,
  );

/** Before a DELETE ... WHERE version = v: inserts only if the user is still at version v. */
export const insertEventIfAtVersion = (db: Db, event: NewChangeEventRow, version: number) =>
  conditionalInsert(
    db,
    event,
    sql`${users.tenantId} = ${event.tenantId} AND ${users.id} = ${event.userId} AND ${users.version} = ${version}`,
  );

/** D1 binds at most 100 parameters per statement; the ids of one sendBatch (up to 100) are split. */
const IDS_PER_STATEMENT = 90;

/**
 * After a successful send: 'pending' becomes 'enqueued', and an 'enqueued' or dead-lettered event the cron
 * re-sent gets a fresh enqueued_at. A delivered, skipped or refused event keeps its state (the consumer may
 * have been faster, or an operator must decide).
 */
export async function markEnqueued(db: Db, ids: string[], at: string): Promise<void> {
  const statements = [];
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
    statements.push(
      db
        .update(changeEvents)
        .set({ state: "enqueued", enqueuedAt: at })
        .where(
          and(
            inArray(changeEvents.id, ids.slice(i, i + IDS_PER_STATEMENT)),
            or(inArray(changeEvents.state, ["pending", "enqueued"]), isDeadLettered),
          ),
        ),
    );
  }
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}
