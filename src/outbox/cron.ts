// Every minute ([triggers] crons): the safety net under the relay, and the outbox's housekeeping.
//  1. Re-send events whose message may not be in the queue: 'pending' past a short grace period (the
//     request's send failed, or its isolate died between the D1 write and the send), and 'enqueued' events
//     long past any retry window (their message was lost), and dead-lettered events an hour after their
//     retries ran out (a long core outage heals by itself; events the core refused wait for a redrive). Batches stay within Queues' limits. A re-send
//     may duplicate a message; the consumer's state check and the core's Idempotency-Key absorb that.
//  2. Delete delivered and skipped events older than OUTBOX_RETENTION_DAYS.
//  3. Log one line with what to watch: failed events, and the age of the oldest undelivered one.
// Each shard's outbox is swept on its own (issue 15 §2), DB first; its line names the shard. A shard that
// fails is logged and the others are still swept; the run then fails, so the invocation shows it.
import type { Db } from "../db/client.ts";
import { sqliteErrorClass } from "../db/storage-errors.ts";
import { countUnsettled, findResendable, pruneSettled } from "../db/delivery-store.ts";
import type { Deps, StorageEnv } from "../deps.ts";
import type { ShardName } from "../tenants/shard.ts";
import type { ForwardingConfig } from "./forwarding-config.ts";
import { queueBody } from "./queue-message.ts";
import { chunkForQueue } from "./queue-chunks.ts";
import { sendEvents } from "./relay.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

export type CronReport = { resent: number; pruned: number; pending: number; enqueued: number; failed: number; oldestInFlightAgeMs: number | null };

/** Every shard's outbox, one after the other; a failing shard does not stop the others. */
export async function runOutboxCrons(
  env: StorageEnv,
  queue: Queue,
  deps: Pick<Deps, "now" | "log" | "shard" | "shards">,
  config: ForwardingConfig,
): Promise<Map<ShardName, CronReport>> {
  const reports = new Map<ShardName, CronReport>();
  let failure: unknown;
  for (const shard of deps.shards(env)) {
    try {
      reports.set(shard, await runOutboxCron(deps.shard(env, shard), shard, queue, deps, config));
    } catch (error) {
      failure ??= error;
      deps.log({ level: "error", msg: "outbox", shard, storageError: sqliteErrorClass(error) });
    }
  }
  if (failure) throw failure;
  return reports;
}

/** One shard's outbox, swept once. */
export async function runOutboxCron(
  db: Db,
  shard: ShardName,
  queue: Queue,
  deps: Pick<Deps, "now" | "log">,
  config: ForwardingConfig,
): Promise<CronReport> {
  const now = deps.now().getTime();
  const iso = (ms: number) => new Date(ms).toISOString();

  const resendable = await findResendable(db, {
    pendingBefore: iso(now - config.resendGraceMs),
    enqueuedBefore: iso(now - config.staleEnqueuedMs),
    deadLetteredBefore: iso(now - config.deadLetterResendMs),
    limit: config.resendLimit,
  });
  let resent = 0;
  for (const chunk of chunkForQueue(resendable, (e) => queueBody(e.payload, shard))) {
    // A failed send is logged by sendEvents; the events stay as they are for the next run.
    if (!(await sendEvents(db, shard, queue, chunk, deps))) break;
    resent += chunk.length;
  }

  const pruned = await pruneSettled(db, iso(now - config.retentionDays * DAY_MS), config.pruneLimit);
  const counts = await countUnsettled(db);
  const report: CronReport = {
    resent,
    pruned,
    pending: counts.pending,
    enqueued: counts.enqueued,
    failed: counts.failed,
    oldestInFlightAgeMs: counts.oldestInFlightAt ? now - Date.parse(counts.oldestInFlightAt) : null,
  };
  // A CORE_URL that cannot be used holds every event back: say so once a minute, where operators look.
  const problem = config.coreUrl ? {} : { coreUrlProblem: config.coreUrlProblem ?? "CORE_URL is not set" };
  deps.log({ level: report.failed > 0 || !config.coreUrl ? "warn" : "info", msg: "outbox", shard, ...report, ...problem });
  return report;
}
