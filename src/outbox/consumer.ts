// From the queue to the core. Each message carries one change event (the body posted to the core). Per
// message, in order within the batch (so at most max_concurrency calls are ever in flight toward the core):
//   already delivered or skipped           -> ack (a duplicate: the relay and the cron may both send)
//   version <= the user's delivered cursor -> record skipped, ack (a later full state already reached the core)
//   otherwise post it:
//     2xx / 409                            -> advance the cursor, record delivered, ack
//     transient (408/425/429/5xx/timeout)  -> record the attempt, retry with backoff (Retry-After honoured)
//     permanent (other 4xx)                -> record failed, ack (an operator redrives it after the fix)
// After max_retries the queue moves a message to the dead-letter queue, whose batches land in
// handleDeadLetters: the event is recorded failed. Nothing here throws: a storage error retries the message.
import { CoreEvent } from "../core-event.ts";
import type { Db } from "../db/client.ts";
import { sqliteErrorClass } from "../db/storage-errors.ts";
import {
  findDeliveryState,
  recordAttempt,
  recordDeadLettered,
  recordDelivered,
  recordFailed,
  recordSkipped,
} from "../db/delivery-store.ts";
import type { Deps, StorageEnv } from "../deps.ts";
import { retryDelaySeconds } from "./backoff.ts";
import { postEvent } from "./core-client.ts";
import type { DeliveryOutcome } from "./delivery-outcome.ts";
import type { ForwardingConfig } from "./forwarding-config.ts";

/** Dead-letter queues are named after their queue with "-dlq" (wrangler.toml; a test checks every env). */
export const isDeadLetterQueue = (queueName: string): boolean => queueName.endsWith("-dlq");

export type DeliveryResult = "delivered" | "duplicate" | "skipped" | "retry" | "failed" | "unknown" | "malformed";

/** The Worker's queue handler: change queue or dead-letter queue, by the batch's queue name. */
export async function handleQueueBatch(batch: MessageBatch<unknown>, env: StorageEnv, deps: Deps, config: ForwardingConfig): Promise<void> {
  if (isDeadLetterQueue(batch.queue)) await handleDeadLetters(batch, env, deps, config);
  else await handleChangeBatch(batch, env, deps, config);
}

export async function handleChangeBatch(batch: MessageBatch<unknown>, env: StorageEnv, deps: Deps, config: ForwardingConfig): Promise<void> {
  for (const message of batch.messages) await deliverMessage(env, message, deps, config);
}

async function deliverMessage(env: StorageEnv, message: Message<unknown>, deps: Deps, config: ForwardingConfig): Promise<DeliveryResult> {
  const parsed = CoreEvent.safeParse(message.body);
  if (!parsed.success) {
    // Not an event this version of the gateway understands (a schema drift during a deploy or rollback):
    // posting it cannot help. If it names its event, that event is recorded failed so an operator sees it
    // and redrives it once matching code runs; either way the message is not looped on. Its tenant is not
    // trusted either, so every database is asked (there is one today).
    const eventId = eventIdOf(message.body);
    try {
      if (eventId) for (const db of deps.databases(env)) await recordFailed(db, eventId, null, "malformed event body", deps.now().toISOString());
    } catch (error) {
      const delaySeconds = retryDelaySeconds(message.attempts, undefined, deps.random, config.backoff);
      deps.log({ level: "error", msg: "delivery", outcome: "retry", eventId, storageError: sqliteErrorClass(error), delaySeconds });
      message.retry({ delaySeconds });
      return "retry";
    }
    deps.log({ level: "error", msg: "delivery", outcome: "malformed", messageId: message.id, eventId, attempts: message.attempts });
    message.ack();
    return "malformed";
  }
  const event = parsed.data;
  const db = deps.database(env, event.tenantId);
  // The request that made the change, once the event's row is read (issue 14 §4).
  let requestId: string | null | undefined;
  const line = (fields: Record<string, unknown>) =>
    deps.log({
      level: fields.level,
      msg: "delivery",
      eventId: event.eventId,
      requestId,
      tenant: event.tenantId,
      type: event.type,
      version: event.version,
      attempts: message.attempts,
      lagMs: deps.now().getTime() - Date.parse(event.occurredAt),
      ...fields,
    });

  try {
    const known = await findDeliveryState(db, event.eventId);
    requestId = known?.requestId;
    if (!known) {
      // The row is gone (pruned after retention, so long since delivered) or was never written here.
      line({ level: "warn", outcome: "unknown" });
      message.ack();
      return "unknown";
    }
    if (known.state === "delivered" || known.state === "skipped") {
      line({ level: "info", outcome: "duplicate", state: known.state });
      message.ack();
      return "duplicate";
    }
    if (known.deliveredVersion !== null && event.version <= known.deliveredVersion) {
      await recordSkipped(db, event.eventId);
      line({ level: "info", outcome: "skipped", deliveredVersion: known.deliveredVersion });
      message.ack();
      return "skipped";
    }

    const outcome = await postEvent(event, deps, config);
    return await settle(db, message, event, outcome, deps, config, line);
  } catch (error) {
    // D1 failed around the call. Retrying may post again; the Idempotency-Key makes that harmless.
    const delaySeconds = retryDelaySeconds(message.attempts, undefined, deps.random, config.backoff);
    line({ level: "error", outcome: "retry", status: null, reason: "storage error", storageError: sqliteErrorClass(error), delaySeconds });
    message.retry({ delaySeconds });
    return "retry";
  }
}

async function settle(
  db: Db,
  message: Message<unknown>,
  event: CoreEvent,
  outcome: DeliveryOutcome,
  deps: Deps,
  config: ForwardingConfig,
  line: (fields: Record<string, unknown>) => void,
): Promise<DeliveryResult> {
  if (outcome.kind === "delivered") {
    const at = deps.now().toISOString();
    await recordDelivered(db, { eventId: event.eventId, tenantId: event.tenantId, userId: event.userId, version: event.version }, outcome.status, at);
    line({ level: "info", outcome: "delivered", status: outcome.status });
    message.ack();
    return "delivered";
  }
  // The stored reason may quote the core's (redacted) answer; the log line carries only the status, or
  // for a call without a response the fixed reason text (timeout, network error, missing setting).
  const logged = outcome.status === null ? { reason: outcome.reason } : {};
  if (outcome.kind === "permanent") {
    await recordFailed(db, event.eventId, outcome.status, outcome.reason, deps.now().toISOString());
    line({ level: "error", outcome: "failed", status: outcome.status });
    message.ack();
    return "failed";
  }
  const delaySeconds = retryDelaySeconds(message.attempts, outcome.retryAfterSeconds, deps.random, config.backoff);
  await recordAttempt(db, event.eventId, outcome.status, outcome.reason);
  line({ level: "warn", outcome: "retry", status: outcome.status, ...logged, delaySeconds });
  message.retry({ delaySeconds });
  return "retry";
}

const eventIdOf = (body: unknown): string | undefined => {
  const id = (body as { eventId?: unknown } | null)?.eventId;
  return typeof id === "string" && id.length > 0 ? id : undefined;
};

/**
 * The dead-letter queue's consumer: every message in it exhausted its retries, so its event is failed. The
 * batch mixes tenants, and a message that does not parse names none, so every database records its ids.
 */
export async function handleDeadLetters(batch: MessageBatch<unknown>, env: StorageEnv, deps: Deps, config: ForwardingConfig): Promise<void> {
  const events = batch.messages.map((m) => ({ message: m, event: CoreEvent.safeParse(m.body).data }));
  const ids = batch.messages.flatMap((m) => eventIdOf(m.body) ?? []);
  const requestIds = new Map<string, string | null>();
  try {
    for (const db of deps.databases(env)) {
      for (const [id, requestId] of await recordDeadLettered(db, ids, deps.now().toISOString())) requestIds.set(id, requestId);
    }
  } catch (error) {
    deps.log({ level: "error", msg: "dead letters not recorded", messages: ids.length, storageError: sqliteErrorClass(error) });
    for (const { message } of events) message.retry({ delaySeconds: retryDelaySeconds(message.attempts, undefined, deps.random, config.backoff) });
    return;
  }
  for (const { message, event } of events) {
    deps.log({
      level: "error",
      msg: "delivery",
      outcome: eventIdOf(message.body) ? "dead-lettered" : "malformed",
      messageId: message.id,
      eventId: eventIdOf(message.body),
      requestId: requestIds.get(eventIdOf(message.body) ?? ""),
      ...(event && { tenant: event.tenantId, type: event.type, version: event.version }),
      attempts: message.attempts,
      ...(event && { lagMs: deps.now().getTime() - Date.parse(event.occurredAt) }),
    });
    message.ack();
  }
}
