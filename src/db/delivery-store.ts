// The outbox seen from the delivery side: what the queue consumer reads before calling the core and
// records after it, what the cron re-sends and prunes. The states and their rules: event-states.ts.
import { and, eq, inArray, lt, notInArray, or, sql } from "drizzle-orm";
import { IDS_PER_STATEMENT, type Db } from "./client.ts";
import { isDeadLettered, RETRIES_EXHAUSTED, SETTLED } from "./event-states.ts";
import { changeEvents, deliveryCursors, type ChangeEventRow, type EventState } from "./schema.ts";

export type DeliveryState = {
  state: EventState;
  attempts: number;
  /** The highest version of this user the core has accepted, if any. */
  deliveredVersion: number | null;
  /** The request that wrote the event, for the delivery lines (null for events from before it was kept). */
  requestId: string | null;
};

/** One indexed read per message: the event's state and its user's delivery cursor. */
export async function findDeliveryState(db: Db, eventId: string): Promise<DeliveryState | undefined> {
  const [row] = await db
    .select({ state: changeEvents.state, attempts: changeEvents.attempts, deliveredVersion: deliveryCursors.lastVersion, requestId: changeEvents.requestId })
    .from(changeEvents)
    .leftJoin(
      deliveryCursors,
      and(eq(deliveryCursors.tenantId, changeEvents.tenantId), eq(deliveryCursors.userId, changeEvents.userId)),
    )
    .where(eq(changeEvents.id, eventId))
    .limit(1);
  return row;
}

export type DeliveredEvent = { eventId: string; tenantId: string; userId: string; version: number };

/** The core accepted the event: advance the user's cursor (only upwards) and settle the event, atomically. */
export async function recordDelivered(db: Db, event: DeliveredEvent, status: number, at: string): Promise<void> {
  await db.batch([
    db
      .insert(deliveryCursors)
      .values({ tenantId: event.tenantId, userId: event.userId, lastVersion: event.version, lastEventId: event.eventId, deliveredAt: at })
      .onConflictDoUpdate({
        target: [deliveryCursors.tenantId, deliveryCursors.userId],
        set: {
          lastVersion: sql`excluded.last_version`,
          lastEventId: sql`excluded.last_event_id`,
          deliveredAt: sql`excluded.delivered_at`,
        },
        setWhere: sql`excluded.last_version > ${deliveryCursors.lastVersion}`,
      }),
    db
      .update(changeEvents)
      .set({ state: "delivered", deliveredAt: at, attempts: sql`${changeEvents.attempts} + 1`, lastStatus: status, lastError: null })
      .where(eq(changeEvents.id, event.eventId)),
  ]);
}

/** A later version of the user already reached the core; this one would move it backwards. */
export async function recordSkipped(db: Db, eventId: string): Promise<void> {
  await db
    .update(changeEvents)
    .set({ state: "skipped" })
    .where(and(eq(changeEvents.id, eventId), notInArray(changeEvents.state, SETTLED)));
}

/** A transient failure: the message is retried; the row shows operators how it is going. */
export async function recordAttempt(db: Db, eventId: string, status: number | null, reason: string): Promise<void> {
  await db
    .update(changeEvents)
    .set({ attempts: sql`${changeEvents.attempts} + 1`, lastStatus: status, lastError: reason })
    .where(and(eq(changeEvents.id, eventId), notInArray(changeEvents.state, SETTLED)));
}

/** The core refused the event for good: it stays failed until an operator redrives it. */
export async function recordFailed(db: Db, eventId: string, status: number | null, reason: string, at: string): Promise<void> {
  await db
    .update(changeEvents)
    .set({ state: "failed", attempts: sql`${changeEvents.attempts} + 1`, lastStatus: status, lastError: reason, failedAt: at })
    .where(and(eq(changeEvents.id, eventId), notInArray(changeEvents.state, SETTLED)));
}

/**
 * Messages that reached the dead-letter queue: failed, keeping the last attempt's status and reason.
 * Answers the request id of each event it marked, for the delivery lines.
 */
export async function recordDeadLettered(db: Db, eventIds: string[], at: string): Promise<Map<string, string | null>> {
  const statements = [];
  for (let i = 0; i < eventIds.length; i += IDS_PER_STATEMENT) {
    statements.push(
      db
        .update(changeEvents)
        .set({
          state: "failed",
          failedAt: at,
          lastError: sql`CASE WHEN ${changeEvents.lastError} LIKE ${`${RETRIES_EXHAUSTED}%`} THEN ${changeEvents.lastError}
                              ELSE ${`${RETRIES_EXHAUSTED}; last: `} || coalesce(${changeEvents.lastError}, 'no attempt recorded') END`,
        })
        .where(and(inArray(changeEvents.id, eventIds.slice(i, i + IDS_PER_STATEMENT)), notInArray(changeEvents.state, SETTLED)))
        .returning({ id: changeEvents.id, requestId: changeEvents.requestId }),
    );
  }
  const [first, ...rest] = statements;
  const marked = first ? await db.batch([first, ...rest]) : [];
  return new Map(marked.flat().map((row) => [row.id, row.requestId]));
}

export type ResendableEvent = Pick<ChangeEventRow, "id" | "payload">;

/**
 * Events whose message may not be in the queue: 'pending' past the grace period, 'enqueued' long past
 * any retry window, and dead-lettered events (retries exhausted while the core was unreachable; not the
 * ones the core refused) an hour after they failed, so a long outage of the core heals without an
 * operator. The (state, occurred_at) index serves the query.
 */
export async function findResendable(
  db: Db,
  options: { pendingBefore: string; enqueuedBefore: string; deadLetteredBefore: string; limit: number },
): Promise<ResendableEvent[]> {
  return db
    .select({ id: changeEvents.id, payload: changeEvents.payload })
    .from(changeEvents)
    .where(
      or(
        and(eq(changeEvents.state, "pending"), lt(changeEvents.occurredAt, options.pendingBefore)),
        and(
          eq(changeEvents.state, "enqueued"),
          lt(changeEvents.occurredAt, options.enqueuedBefore),
          lt(changeEvents.enqueuedAt, options.enqueuedBefore),
        ),
        and(isDeadLettered, lt(changeEvents.failedAt, options.deadLetteredBefore)),
      ),
    )
    .orderBy(changeEvents.occurredAt)
    .limit(options.limit);
}

/** Deletes up to `limit` settled events that occurred before `before`; returns how many went. */
export async function pruneSettled(db: Db, before: string, limit: number): Promise<number> {
  const oldest = db
    .select({ id: changeEvents.id })
    .from(changeEvents)
    .where(and(inArray(changeEvents.state, SETTLED), lt(changeEvents.occurredAt, before)))
    .limit(limit);
  const result = await db.delete(changeEvents).where(inArray(changeEvents.id, oldest));
  return result.meta.changes ?? 0;
}

export type UnsettledCounts = { pending: number; enqueued: number; failed: number; oldestInFlightAt: string | null };

/** What the cron logs each minute for alerting; reads only the unsettled part of the index. */
export async function countUnsettled(db: Db): Promise<UnsettledCounts> {
  const rows = await db
    .select({ state: changeEvents.state, n: sql<number>`count(*)`, oldest: sql<string | null>`min(${changeEvents.occurredAt})` })
    .from(changeEvents)
    .where(inArray(changeEvents.state, ["pending", "enqueued", "failed"]))
    .groupBy(changeEvents.state);
  const counts: UnsettledCounts = { pending: 0, enqueued: 0, failed: 0, oldestInFlightAt: null };
  for (const row of rows) {
    if (row.state === "pending" || row.state === "enqueued" || row.state === "failed") counts[row.state] = row.n;
    if (row.state !== "failed" && row.oldest && (!counts.oldestInFlightAt || row.oldest < counts.oldestInFlightAt)) {
      counts.oldestInFlightAt = row.oldest;
    }
  }
  return counts;
}
