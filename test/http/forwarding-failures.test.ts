// Issue 3 §6: nothing acknowledged is lost when the core or the queue misbehaves, nothing is applied twice,
// and no user goes backwards at the core. The core emulator misbehaves on command; the TestQueue refuses
// sends, duplicates and reorders messages; the clock only moves when a test moves it.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { redriveSql } from "../../src/tools/outbox/queries.ts";
import { allowTenant, devToken, entraUser, newTenantId } from "../support/gateway.ts";
import { CHANGE_QUEUE, eventRows, forwardingPipeline, type Forwarding } from "../support/forwarding.ts";

const patch = (...Operations: unknown[]) => ({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations });

async function createdUser(pipeline: Forwarding, mobile = "441234567890") {
  const tenantId = newTenantId();
  await allowTenant(tenantId);
  const token = await devToken(tenantId);
  const created = await pipeline.scim(token, "POST", "/Users", entraUser(mobile));
  expect(created.status, created.text).toBe(201);
  return { tenantId, token, userId: created.body.id as string };
}

const appliedVersions = (pipeline: Forwarding) =>
  pipeline.core.events().flatMap((e) => (e.outcome === "applied" ? [(e.event as { version: number }).version] : []));

/** What an operator runs after fixing the core: `npm run outbox -- redrive --id <event id>`, same SQL. */
const redrive = (scope: { id?: string; tenant?: string }) => env.DB.prepare(redriveSql(scope)).all();

describe("when the core misbehaves", () => {
  it("core fails twice then recovers: retried with growing delays, delivered once in effect", async () => {
    const pipeline = forwardingPipeline();
    pipeline.core.fail({ mode: "500", count: 2 });
    const { tenantId } = await createdUser(pipeline);
    await pipeline.drain();

    expect(pipeline.core.events().map((e) => e.outcome)).toEqual(["injected 500", "injected 500", "applied"]);
    const [row] = await eventRows(tenantId);
    expect(row).toMatchObject({ state: "delivered", attempts: 3, last_status: 200, last_error: null });
    const delays = pipeline.logs.filter((l) => l.outcome === "retry").map((l) => l.delaySeconds as number);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(5); // first step 10 s, half of it fixed
    expect(delays[1]).toBeGreaterThanOrEqual(10); // second step 20 s
  });

  it("429 with Retry-After: the retry waits at least that long", async () => {
    const pipeline = forwardingPipeline();
    pipeline.core.fail({ mode: "429", count: 1, retryAfter: 120 });
    await createdUser(pipeline);
    const started = pipeline.clock.now().getTime();
    await pipeline.drain();
    const [retry] = pipeline.logs.filter((l) => l.outcome === "retry");
    expect(retry).toMatchObject({ status: 429, delaySeconds: 120 });
    expect(pipeline.clock.now().getTime() - started).toBeGreaterThanOrEqual(120_000);
    expect(appliedVersions(pipeline)).toEqual([1]);
  });

  it("core hangs: the call is abandoned at the timeout and retried", async () => {
    const pipeline = forwardingPipeline({ outbox: { timeoutMs: 20 } });
    pipeline.core.fail({ mode: "hang", count: 1 });
    const { tenantId } = await createdUser(pipeline);
    await pipeline.drain();
    expect(pipeline.logs.filter((l) => l.msg === "delivery").map((l) => [l.outcome, l.reason])).toEqual([
      ["retry", "timeout"],
      ["delivered", undefined],
    ]);
    expect((await eventRows(tenantId))[0]?.state).toBe("delivered");
  });

  it("core answers 400: recorded failed with status and reason, and a redrive after the fix delivers it", async () => {
    const pipeline = forwardingPipeline();
    pipeline.core.fail({ mode: "400", count: 1 });
    const { tenantId } = await createdUser(pipeline);
    await pipeline.drain();

    const [failed] = await eventRows(tenantId);
    expect(failed).toMatchObject({ state: "failed", attempts: 1, last_status: 400, last_error: expect.stringMatching(/^HTTP 400/) });
    expect(appliedVersions(pipeline)).toEqual([]);
    expect(pipeline.readyOwn(), "a permanent failure is not retried").toHaveLength(0);

    const { results } = await redrive({ id: failed?.id });
    expect(results).toHaveLength(1);
    pipeline.clock.advance(60_000);
    await pipeline.cron();
    await pipeline.drain();
    expect((await eventRows(tenantId))[0]).toMatchObject({ state: "delivered", attempts: 2, last_status: 200 });
    expect(appliedVersions(pipeline)).toEqual([1]);
  });

  it("a wrong CORE_TOKEN is refused by the core (401): failed, not retried", async () => {
    const pipeline = forwardingPipeline({ outbox: { coreToken: "not-the-core-token" } });
    const { tenantId } = await createdUser(pipeline);
    await pipeline.drain();
    expect((await eventRows(tenantId))[0]).toMatchObject({ state: "failed", last_status: 401 });
  });

  it("core down past max_retries: dead-lettered, recorded failed; redriven by tenant once it is back", async () => {
    const pipeline = forwardingPipeline({ maxRetries: 3 });
    pipeline.core.fail({ mode: "500" });
    const { tenantId } = await createdUser(pipeline);
    await pipeline.drain();

    const [dead] = await eventRows(tenantId);
    expect(dead).toMatchObject({ state: "failed", attempts: 4, last_status: 500, last_error: expect.stringMatching(/^retries exhausted; last: HTTP 500/) });
    expect(pipeline.logs.at(-1)).toMatchObject({ msg: "delivery", outcome: "dead-lettered", attempts: 4 });

    pipeline.core.recover();
    await redrive({ tenant: tenantId });
    pipeline.clock.advance(60_000);
    await pipeline.cron();
    await pipeline.drain();
    expect((await eventRows(tenantId))[0]?.state).toBe("delivered");
    expect(appliedVersions(pipeline)).toEqual([1]);
  });
});

describe("when the queue misbehaves", () => {
  it("queue send throws: the write still succeeds, the event stays pending, and the cron re-sends it", async () => {
    const pipeline = forwardingPipeline();
    pipeline.queue.failSends = 1;
    const { tenantId } = await createdUser(pipeline);
    expect((await eventRows(tenantId))[0]?.state).toBe("pending");
    expect(pipeline.queue.sent).toHaveLength(0);

    await pipeline.cron();
    expect(pipeline.queue.sent, "within the grace period the cron leaves it to the request").toHaveLength(0);

    pipeline.clock.advance(31_000);
    await pipeline.cron();
    expect(pipeline.queue.sent).toHaveLength(1);
    expect((await eventRows(tenantId))[0]?.state).toBe("enqueued");
    await pipeline.drain();
    expect((await eventRows(tenantId))[0]?.state).toBe("delivered");
    expect(appliedVersions(pipeline)).toEqual([1]);
  });

  it("the same message delivered twice is applied once, and the second copy is not even posted", async () => {
    const pipeline = forwardingPipeline();
    const { tenantId } = await createdUser(pipeline);
    const [message] = pipeline.queue.ready;
    pipeline.queue.enqueue(structuredClone(message?.body), 1);
    await pipeline.drain();
    expect(pipeline.core.events().map((e) => e.outcome)).toEqual(["applied"]);
    expect(pipeline.logs.filter((l) => l.msg === "delivery").map((l) => l.outcome).sort()).toEqual(["delivered", "duplicate"]);
    expect((await eventRows(tenantId))[0]).toMatchObject({ state: "delivered", attempts: 1 });
  });

  it("two copies posted at once (two consumers raced) are applied once by the Idempotency-Key", async () => {
    const pipeline = forwardingPipeline();
    const { tenantId } = await createdUser(pipeline);
    const [message] = pipeline.queue.take(1);
    const copy = { ...message!, id: "copy" };
    await Promise.all([pipeline.invoke(CHANGE_QUEUE, [message!]), pipeline.invoke(CHANGE_QUEUE, [copy])]);
    const outcomes = pipeline.core.events().map((e) => e.outcome);
    expect(outcomes.filter((o) => o === "applied")).toHaveLength(1);
    expect((await eventRows(tenantId))[0]?.state).toBe("delivered");
  });

  it("D1 unavailable while consuming: the message is retried, nothing is posted or lost", async () => {
    const pipeline = forwardingPipeline();
    const { tenantId } = await createdUser(pipeline);
    const [message] = pipeline.queue.take(1);
    const unavailable = () => {
      throw new Error("D1_ERROR: Network connection lost.");
    };
    const brokenDb = { prepare: unavailable, batch: unavailable, exec: unavailable } as unknown as D1Database;
    const result = await pipeline.invoke(CHANGE_QUEUE, [message!], { ...pipeline.env, DB: brokenDb });
    expect(result.retryMessages.map((r) => r.msgId)).toEqual([message!.id]);
    expect(result.retryMessages[0]?.delaySeconds).toBeGreaterThan(0);
    expect(pipeline.core.events()).toEqual([]);
    expect(pipeline.logs.at(-1)).toMatchObject({ outcome: "retry", reason: "storage error" });
    expect((await eventRows(tenantId))[0]?.state).toBe("enqueued");
  });

  it("a message this gateway cannot read is not looped on: its event is recorded failed for a redrive", async () => {
    const pipeline = forwardingPipeline();
    const { tenantId } = await createdUser(pipeline);
    const [message] = pipeline.queue.take(1);
    const drifted = { ...(message!.body as object), schemaVersion: 99 };
    const result = await pipeline.invoke(CHANGE_QUEUE, [{ ...message!, body: drifted }, { ...message!, id: "junk", body: "not an event" }]);
    expect(result.explicitAcks).toEqual([message!.id, "junk"]);
    expect((await eventRows(tenantId))[0]).toMatchObject({ state: "failed", last_error: "malformed event body" });
    expect(pipeline.core.events()).toEqual([]);
  });

  it("versions 3 then 2 arrive: 2 is skipped and the core never goes back", async () => {
    const pipeline = forwardingPipeline();
    const { tenantId, token, userId } = await createdUser(pipeline);
    await pipeline.scim(token, "PATCH", `/Users/${userId}`, patch({ op: "Replace", path: "name.givenName", value: "Two" }));
    await pipeline.scim(token, "PATCH", `/Users/${userId}`, patch({ op: "Replace", path: "name.givenName", value: "Three" }));
    const byVersion = new Map(pipeline.queue.take(3).map((m) => [(m.body as { version: number }).version, m]));

    await pipeline.invoke(CHANGE_QUEUE, [byVersion.get(1)!]);
    await pipeline.invoke(CHANGE_QUEUE, [byVersion.get(3)!]);
    const late = await pipeline.invoke(CHANGE_QUEUE, [byVersion.get(2)!]);

    expect(late.explicitAcks, "the superseded event is acknowledged, not retried").toEqual([byVersion.get(2)!.id]);
    expect(appliedVersions(pipeline)).toEqual([1, 3]);
    expect(pipeline.core.events(), "version 2 was never posted").toHaveLength(2);
    expect((await eventRows(tenantId)).map((r) => [r.version, r.state])).toEqual([
      [1, "delivered"],
      [2, "skipped"],
      [3, "delivered"],
    ]);
    expect(pipeline.core.users()[0]).toMatchObject({ version: 3, user: { givenName: "Three" } });
  });
});
