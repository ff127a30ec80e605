// From D1 to the queue. A write's event row is already committed with the user change; after the
// response (http/relay-after-response.ts), the Worker sends it to the queue and marks it enqueued. A failed
// send is logged and the row stays 'pending' for the periodic re-send, so nothing acknowledged is lost with
// a dying isolate. Each message names the shard the event lives in (queue-message.ts). Plain arguments
// only: the relay knows nothing of Hono.
import type { Db } from "../db/client.ts";
import { markEnqueued } from "../db/event-store.ts";
import type { NewChangeEventRow } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import type { ShardName } from "../tenants/shard.ts";
import { queueBody } from "./queue-message.ts";

/** Whether the events went to the queue; a failure is logged, and the events wait for the cron. */
export async function sendEvents(
  db: Db,
  shard: ShardName,
  queue: Queue,
  events: Pick<NewChangeEventRow, "id" | "payload">[],
  { now, log }: Pick<Deps, "now" | "log">,
): Promise<boolean> {
  if (events.length === 0) return true;
  try {
    await queue.sendBatch(events.map((e) => ({ body: queueBody(e.payload, shard), contentType: "json" as const })));
  } catch (error) {
    log({ level: "warn", msg: "queue send failed; the cron re-sends", events: events.length, error: errorName(error) });
    return false;
  }
  try {
    await markEnqueued(db, events.map((e) => e.id), now().toISOString());
  } catch (error) {
    // Sent but not marked: the re-send duplicates it, and the core's idempotency key absorbs that.
    log({ level: "warn", msg: "marking events enqueued failed", events: events.length, error: errorName(error) });
  }
  return true;
}

const errorName = (error: unknown) => (error instanceof Error ? error.name : "unknown");
