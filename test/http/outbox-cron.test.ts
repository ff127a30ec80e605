// The every-minute cron: re-sends what the relay did not get into the queue (in batches within Queues'
// limits), prunes settled events after OUTBOX_RETENTION_DAYS, and logs what to watch. Also: the Worker's
// real default export runs the same queue and scheduled handlers (src/index.ts wiring).
import { createExecutionContext, createMessageBatch, createScheduledController, env, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.ts";
import { newTenantId } from "../support/gateway.ts";
import { DEAD_LETTER_QUEUE, eventRows, forwardingPipeline } from "../support/forwarding.ts";
import { TEST_SHARD, testD1 } from "../support/shards.ts";

const DAY = 24 * 60 * 60 * 1000;

/** An outbox row written directly, at a chosen age and state. */
async function seedEvent(tenantId: string, state: string, occurredAt: Date, options: { enqueuedAt?: Date; payloadBytes?: number } = {}) {
  const id = crypto.randomUUID();
  const payload = { eventId: id, tenantId, padding: "x".repeat(options.payloadBytes ?? 0) };
  await testD1.prepare(
    "INSERT INTO change_events (id, tenant_id, user_id, type, version, occurred_at, payload, state, enqueued_at) VALUES (?, ?, ?, 'user.created', 1, ?, ?, ?, ?)",
  )
    .bind(id, tenantId, crypto.randomUUID(), occurredAt.toISOString(), JSON.stringify(payload), state, options.enqueuedAt?.toISOString() ?? null)
    .run();
  return id;
}

const statesOf = async (tenantId: string) => Object.fromEntries((await eventRows(tenantId)).map((r) => [r.id, r.state]));

describe("outbox cron", () => {
  it("re-sends 250 stranded events in sendBatch calls of at most 100 messages, then marks them enqueued", async () => {
    const pipeline = forwardingPipeline();
    const tenantId = newTenantId();
    const old = new Date(pipeline.clock.now().getTime() - 5 * 60_000);
    // The test files share one D1: what others left stranded is re-sent first, so the batches counted are ours.
    await pipeline.cron();
    const before = pipeline.queue.batchSizes.length;
    for (let i = 0; i < 250; i++) await seedEvent(tenantId, "pending", old);
    await pipeline.cron();
    expect(pipeline.queue.batchSizes.slice(before)).toEqual([100, 100, 50]);
    expect(new Set(Object.values(await statesOf(tenantId)))).toEqual(new Set(["enqueued"]));
  });

  it("keeps each sendBatch under 256 KB", async () => {
    const pipeline = forwardingPipeline();
    const tenantId = newTenantId();
    const old = new Date(pipeline.clock.now().getTime() - 5 * 60_000);
    for (let i = 0; i < 30; i++) await seedEvent(tenantId, "pending", old, { payloadBytes: 20_000 });
    await pipeline.cron();
    expect(pipeline.queue.batchSizes.reduce((a, b) => a + b, 0)).toBe(30);
    expect(Math.max(...pipeline.queue.batchSizes)).toBeLessThanOrEqual(12); // 12 x ~20 KB < 256 KB < 13 x
  });

  it("re-sends an event enqueued 12 hours ago and still undelivered (its message was lost), not a recent one", async () => {
    const pipeline = forwardingPipeline();
    const tenantId = newTenantId();
    const now = pipeline.clock.now().getTime();
    const lost = await seedEvent(tenantId, "enqueued", new Date(now - 13 * 60 * 60_000), { enqueuedAt: new Date(now - 13 * 60 * 60_000) });
    await seedEvent(tenantId, "enqueued", new Date(now - 60 * 60_000), { enqueuedAt: new Date(now - 60 * 60_000) });
    await pipeline.cron();
    expect(pipeline.queue.sent.map((b) => (b as { eventId: string }).eventId)).toEqual([lost]);
    await pipeline.cron();
    expect(pipeline.queue.sent, "enqueued_at was refreshed: not re-sent every minute").toHaveLength(1);
  });

  it("deletes delivered and skipped events older than the retention period; keeps failed and recent ones", async () => {
    const pipeline = forwardingPipeline({ outbox: { retentionDays: 7 } });
    const tenantId = newTenantId();
    const now = pipeline.clock.now().getTime();
    const oldDelivered = await seedEvent(tenantId, "delivered", new Date(now - 8 * DAY));
    const oldSkipped = await seedEvent(tenantId, "skipped", new Date(now - 8 * DAY));
    const oldFailed = await seedEvent(tenantId, "failed", new Date(now - 8 * DAY));
    const recentDelivered = await seedEvent(tenantId, "delivered", new Date(now - 6 * DAY));
    await pipeline.cron();
    const states = await statesOf(tenantId);
    expect(states[oldDelivered]).toBeUndefined();
    expect(states[oldSkipped]).toBeUndefined();
    expect(states[oldFailed]).toBe("failed");
    expect(states[recentDelivered]).toBe("delivered");
  });

  it("logs one line per run with what to watch: failed events and the age of the oldest undelivered one", async () => {
    const pipeline = forwardingPipeline();
    const tenantId = newTenantId();
    const now = pipeline.clock.now().getTime();
    await seedEvent(tenantId, "failed", new Date(now - DAY));
    await seedEvent(tenantId, "enqueued", new Date(now - 10 * 60_000), { enqueuedAt: new Date(now - 10 * 60_000) });
    await pipeline.cron();
    const line = pipeline.logs.find((l) => l.msg === "outbox" && l.shard === TEST_SHARD);
    expect(line).toMatchObject({ level: "warn", resent: 0, pruned: 0, failed: expect.any(Number) });
    expect(line?.failed).toBeGreaterThanOrEqual(1);
    expect(line?.oldestInFlightAgeMs).toBeGreaterThanOrEqual(10 * 60_000);
  });
});

describe("the Worker's default export (src/index.ts)", () => {
  it("routes a dead-letter batch to the dead-letter handler: the event is recorded failed and the message acked", async () => {
    const tenantId = newTenantId();
    const id = await seedEvent(tenantId, "enqueued", new Date());
    const body = {
      schemaVersion: 1, eventId: id, type: "user.created", occurredAt: new Date().toISOString(), tenantId, accountId: "TM-1",
      manager: null, userId: crypto.randomUUID(), mobile: "441234567890", version: 1,
      user: { userName: "441234567890", externalId: null, active: true, deleted: false, displayName: null, givenName: null, familyName: null, formattedName: null, workEmail: null },
      shard: TEST_SHARD,
    };
    const batch = createMessageBatch(DEAD_LETTER_QUEUE, [{ id: "dlq-1", timestamp: new Date(), attempts: 1, body }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["dlq-1"]);
    expect((await statesOf(tenantId))[id]).toBe("failed");
  });

  it("runs the outbox cron on its schedule", async () => {
    const tenantId = newTenantId();
    const old = await seedEvent(tenantId, "delivered", new Date(Date.now() - 40 * DAY));
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await statesOf(tenantId))[old], "pruned after the default 30 days").toBeUndefined();
  });
});
