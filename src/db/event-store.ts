// The outbox table's writes. An event is inserted in the same db.batch as the user change it describes;
// the conditional forms insert it only if that change applied, so a lost race leaves no event behind.
import { and, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "./client.ts";
import { changeEvents, users, type NewChangeEventRow } from "./schema.ts";

export const insertEvent = (db: Db, event: NewChangeEventRow) => db.insert(changeEvents).values(event);

// INSERT ... SELECT lists every column of change_events in table order (drizzle's insert-select takes the
// whole column list); the WHERE EXISTS guard makes the row appear only if the guarded user write applied.
const conditionalInsert = (db: Db, event: NewChangeEventRow, guard: SQL) =>
  db.insert(changeEvents).select(sql`
    SELECT ${event.id}, ${event.tenantId}, ${event.userId}, ${event.type}, ${event.version}, ${event.occurredAt},
           ${JSON.stringify(event.payload)}, 'pending', NULL, NULL, 0, NULL, NULL
    WHERE EXISTS (SELECT 1 FROM ${users} WHERE ${guard})`);

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
 * After a successful send: 'pending' becomes 'enqueued', and an 'enqueued' event the cron re-sent gets a
 * fresh enqueued_at. A delivered, skipped or failed event keeps its state (the consumer may have been faster).
 */
export async function markEnqueued(db: Db, ids: string[], at: string): Promise<void> {
  const statements = [];
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
    statements.push(
      db
        .update(changeEvents)
        .set({ state: "enqueued", enqueuedAt: at })
        .where(and(inArray(changeEvents.id, ids.slice(i, i + IDS_PER_STATEMENT)), inArray(changeEvents.state, ["pending", "enqueued"]))),
    );
  }
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}
