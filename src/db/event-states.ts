// The states of an outbox event (change_events.state) and the rules both stores share. pending (written,
// not known to be queued), enqueued, delivered, skipped (superseded by a later version already delivered),
// failed (refused by the core, or retries exhausted). A settled event (delivered, skipped) never changes
// state again except that a skipped one may turn delivered if a duplicate copy reached the core first;
// failed can be redriven. The writes (event-store.ts) and the delivery side (delivery-store.ts) both ask
// these questions, so they are answered once, here.
import { and, eq, like } from "drizzle-orm";
import { changeEvents, type EventState } from "./schema.ts";

/** States an event never leaves (but for skipped -> delivered, above). */
export const SETTLED: EventState[] = ["delivered", "skipped"];

/** How the dead-letter consumer starts last_error: the retries ran out while the core was unreachable or failing. */
export const RETRIES_EXHAUSTED = "retries exhausted";

/** Failed because its retries ran out (the core was unreachable or failing), not because the core refused it. */
export const isDeadLettered = and(eq(changeEvents.state, "failed"), like(changeEvents.lastError, `${RETRIES_EXHAUSTED}%`));
