// Issue 15 §2: tenants on shards. A tenant's allow-list record names its shard (a D1 binding: DB, DB_2);
// everything the Worker does for it (requests, the relay, the queue consumer, the cron) happens in that
// database and no other, and a record without a shard means DB. Through the Worker's own handlers, against
// the real local D1s of both shards.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { linesInto, testDeps } from "../support/deps.ts";
import { CHANGE_QUEUE, DEAD_LETTER_QUEUE, forwardingPipeline } from "../support/forwarding.ts";
import { allowTenant, call, devToken, entraUser, newTenantId } from "../support/gateway.ts";
import { d1Of } from "../support/shards.ts";

const count = async (shard: string, table: string, tenantId: string) =>
  (await d1Of(shard).prepare(`SELECT count(*) AS n FROM ${table} WHERE tenant_id = ?`).bind(tenantId).first<{ n: number }>())?.n ?? 0;

const eventStates = async (shard: string, tenantId: string) =>
  (await d1Of(shard).prepare("SELECT state FROM change_events WHERE tenant_id = ? ORDER BY version").bind(tenantId).all<{ state: string }>()).results.map((r) => r.state);

async function tenantOn(shard: string | undefined) {
  const tenantId = newTenantId();
  await allowTenant(tenantId, { shard });
  return { tenantId, token: await devToken(tenantId) };
}

describe("a tenant's users live in the shard its record names", () => {
  it.each([
    ["DB_2", "DB_2", "DB_2"],
    ["DB", "DB", "DB"],
    ["no shard (a record from before shards)", undefined, "DB"],
  ] as const)("record naming %s: users, events and the user count are written there and read back from there, none elsewhere", async (_what, shard, home) => {
    const { tenantId, token } = await tenantOn(shard);
    const created = await call("POST", "/Users", { token, body: entraUser("441234567890") });
    expect(created.status, created.text).toBe(201);
    const patched = await call("PATCH", `/Users/${created.body.id}`, {
      token,
      body: { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "Replace", path: "name.givenName", value: "Annie" }] },
    });
    expect(patched.status, patched.text).toBe(200);
    const found = await call("GET", "/Users?filter=userName+eq+%22441234567890%22", { token });
    expect(found.body.totalResults, found.text).toBe(1);

    const other = home === "DB" ? "DB_2" : "DB";
    expect([await count(home, "users", tenantId), await count(home, "change_events", tenantId), await count(home, "tenant_usage", tenantId)]).toEqual([1, 2, 1]);
    expect([await count(other, "users", tenantId), await count(other, "change_events", tenantId), await count(other, "tenant_usage", tenantId)]).toEqual([0, 0, 0]);
  });

  it("keeps two tenants on different shards apart: the same number in each, each sees only its own", async () => {
    const first = await tenantOn("DB");
    const second = await tenantOn("DB_2");
    for (const { token } of [first, second]) expect((await call("POST", "/Users", { token, body: entraUser("11234567890") })).status).toBe(201);
    const list = async (token: string) => (await call("GET", "/Users", { token })).body;
    const [a, b] = [await list(first.token), await list(second.token)];
    expect([a.totalResults, b.totalResults]).toEqual([1, 1]);
    expect(a.Resources[0].id).not.toBe(b.Resources[0].id);
    expect((await call("GET", `/Users/${a.Resources[0].id}`, { token: second.token })).status, "the other shard's user is not found").toBe(404);
  });

  it("answers 503 with Retry-After when the record names a shard this Worker has no database for, and logs only that", async () => {
    const lines: string[] = [];
    const app = createApp(testDeps({ log: linesInto(lines) }));
    const tenantId = newTenantId();
    await allowTenant(tenantId, { shard: "DB_9" });
    const ctx = createExecutionContext();
    const res = await app.request(
      "https://gateway.test/scim/v2/Users",
      { method: "POST", headers: { Authorization: `Bearer ${await devToken(tenantId)}`, "Content-Type": "application/scim+json" }, body: JSON.stringify(entraUser("441234567890")) },
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const text = await res.text();
    expect(res.status, text).toBe(503);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(JSON.parse(text).detail).toMatch(/retries automatically/);
    expect(lines.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ msg: "request", status: 503, storageError: "shard_not_bound" })]);
    expect(lines.join("\n")).not.toContain("441234567890");
  });

  it("refuses a record naming something that is not a shard (another binding, an inherited name): 403, nothing read", async () => {
    for (const shard of ["TENANTS", "CHANGES", "__proto__", "toString", "DB_1", "users-2"]) {
      const tenantId = newTenantId();
      await env.TENANTS.put(`tenant:${tenantId}`, JSON.stringify({ accountId: "TM-1", name: "X", enabled: true, shard }));
      const res = await call("GET", "/Users", { token: await devToken(tenantId) });
      expect(res.status, `${shard}: ${res.text}`).toBe(403);
    }
  });
});

describe("the outbox works per shard", () => {
  it("the relay's message names the shard, and the consumer records the delivery in that shard's outbox", async () => {
    const pipeline = forwardingPipeline();
    const { tenantId, token } = await tenantOn("DB_2");
    const created = await pipeline.scim(token, "POST", "/Users", entraUser("441234567890"));
    expect(created.status, created.text).toBe(201);
    expect(pipeline.queue.sent).toEqual([expect.objectContaining({ shard: "DB_2", tenantId })]);
    await pipeline.drain();
    expect(pipeline.core.events().map((e) => e.outcome)).toEqual(["applied"]);
    expect(pipeline.core.events()[0]?.event, "the core never sees the shard").not.toHaveProperty("shard");
    expect(await eventStates("DB_2", tenantId)).toEqual(["delivered"]);
    expect(await count("DB_2", "delivery_cursors", tenantId)).toBe(1);
    expect(await count("DB", "delivery_cursors", tenantId)).toBe(0);
  });

  it("a message without a shard (queued before shards existed) is an event of the first database", async () => {
    const pipeline = forwardingPipeline();
    const { tenantId, token } = await tenantOn(undefined);
    await pipeline.scim(token, "POST", "/Users", entraUser("441234567890"));
    const [message] = pipeline.queue.take(1);
    const { shard, ...legacy } = message!.body as Record<string, unknown>;
    expect(shard).toBe("DB");
    await pipeline.invoke(CHANGE_QUEUE, [{ ...message!, body: legacy }]);
    expect(pipeline.core.events().map((e) => e.outcome)).toEqual(["applied"]);
    expect(await eventStates("DB", tenantId)).toEqual(["delivered"]);
  });

  it("a message naming a shard the Worker lacks is retried, not posted; one naming a non-shard is not trusted at all", async () => {
    const pipeline = forwardingPipeline();
    const { tenantId, token } = await tenantOn("DB_2");
    await pipeline.scim(token, "POST", "/Users", entraUser("441234567890"));
    const [message] = pipeline.queue.take(1);
    const body = message!.body as Record<string, unknown>;
    const unbound = await pipeline.invoke(CHANGE_QUEUE, [{ ...message!, body: { ...body, shard: "DB_9" } }]);
    expect(unbound.retryMessages.map((r) => r.msgId)).toEqual([message!.id]);
    expect(pipeline.logs.at(-1)).toMatchObject({ outcome: "retry", shard: "DB_9", storageError: "shard_not_bound" });
    const foreign = await pipeline.invoke(CHANGE_QUEUE, [{ ...message!, body: { ...body, shard: "TENANTS" } }]);
    expect(foreign.explicitAcks).toEqual([message!.id]);
    expect(pipeline.core.events()).toEqual([]);
    expect(await eventStates("DB_2", tenantId), "recorded failed where the event is, for a redrive").toEqual(["failed"]);
  });

  it("dead letters are recorded failed in the shard each message names", async () => {
    const pipeline = forwardingPipeline();
    const { tenantId, token } = await tenantOn("DB_2");
    await pipeline.scim(token, "POST", "/Users", entraUser("441234567890"));
    const [message] = pipeline.queue.take(1);
    const result = await pipeline.invoke(DEAD_LETTER_QUEUE, [message!]);
    expect(result.explicitAcks).toEqual([message!.id]);
    expect(await eventStates("DB_2", tenantId)).toEqual(["failed"]);
    expect(pipeline.logs.at(-1)).toMatchObject({ outcome: "dead-lettered", shard: "DB_2" });
  });

  it("the cron re-sends each shard's stranded events with their shard, and logs one line per shard", async () => {
    const pipeline = forwardingPipeline();
    const onFirst = await tenantOn("DB");
    const onSecond = await tenantOn("DB_2");
    pipeline.queue.failSends = 2; // both relays fail: the events stay pending in their shards
    for (const { token } of [onFirst, onSecond]) expect((await pipeline.scim(token, "POST", "/Users", entraUser("441234567890"))).status).toBe(201);
    expect(pipeline.queue.sent).toEqual([]);
    pipeline.clock.advance(31_000);
    await pipeline.cron();
    const resent = pipeline.queue.sent as { tenantId: string; shard: string }[];
    expect(resent.filter((m) => [onFirst.tenantId, onSecond.tenantId].includes(m.tenantId)).map((m) => [m.tenantId, m.shard]).sort()).toEqual(
      [
        [onFirst.tenantId, "DB"],
        [onSecond.tenantId, "DB_2"],
      ].sort(),
    );
    expect(pipeline.logs.filter((l) => l.msg === "outbox").map((l) => l.shard)).toEqual(["DB", "DB_2"]);
    await pipeline.drain();
    expect([await eventStates("DB", onFirst.tenantId), await eventStates("DB_2", onSecond.tenantId)]).toEqual([["delivered"], ["delivered"]]);
  });

  it("a failing shard does not stop the cron sweeping the others", async () => {
    const pipeline = forwardingPipeline();
    const { tenantId, token } = await tenantOn("DB_2");
    pipeline.queue.failSends = 1;
    await pipeline.scim(token, "POST", "/Users", entraUser("441234567890"));
    pipeline.clock.advance(31_000);
    const broken = { prepare: () => { throw new Error("D1_ERROR: Network connection lost."); } } as unknown as D1Database;
    const ctx = createExecutionContext();
    const run = pipeline.worker.scheduled({ scheduledTime: pipeline.clock.now().getTime(), cron: "* * * * *", noRetry() {} } as ScheduledController, { ...pipeline.env, DB: broken }, ctx);
    await expect(run).rejects.toThrow();
    await waitOnExecutionContext(ctx);
    const lines = pipeline.logs.filter((l) => l.msg === "outbox");
    expect(lines.map((l) => l.shard)).toEqual(["DB", "DB_2"]);
    expect(lines[0]).toMatchObject({ level: "error", storageError: "D1_ERROR" });
    expect(lines[1]).toMatchObject({ resent: expect.any(Number) });
    expect((pipeline.queue.sent as { tenantId: string }[]).map((m) => m.tenantId)).toContain(tenantId);
  });
});

describe("GET /health", () => {
  it("answers 503 when any shard does not answer, not only the first", async () => {
    const broken = { prepare: () => { throw new Error("D1_ERROR: Network connection lost."); } } as unknown as D1Database;
    const ctx = createExecutionContext();
    const res = await createApp(testDeps()).request("https://gateway.test/health", {}, { ...env, DB_2: broken }, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
  });
});
