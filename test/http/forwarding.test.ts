// Issue 3 §6: every change the gateway acknowledged to Entra reaches the core once, with its type and
// version; nothing else does. Through the Worker's own fetch, queue and scheduled handlers, real local
// D1/KV, the core emulator as the injected fetch (test/support/forwarding.ts).
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { allowTenant, devToken, entraUser, newTenantId } from "../support/gateway.ts";
import { eventRows, forwardingPipeline } from "../support/forwarding.ts";

const patch = (...Operations: unknown[]) => ({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations });

async function tenantWithToken() {
  const tenantId = newTenantId();
  await allowTenant(tenantId, { accountId: "TM-2002", managers: ["Ann Manager", "Bob Boss"] });
  return { tenantId, token: await devToken(tenantId) };
}

describe("forwarding every SCIM write to the core", () => {
  it("delivers each write exactly once with its type and version, and nothing for a no-op or a refused write", async () => {
    const pipeline = forwardingPipeline();
    const { tenantId, token } = await tenantWithToken();
    const scim = (method: string, path: string, body?: unknown) => pipeline.scim(token, method, path, body);

    // Each write is forwarded before the next one, as at Entra's pace; out-of-order arrival is tested apart.
    const send = async (method: string, path: string, body?: unknown) => {
      const response = await scim(method, path, body);
      await pipeline.drain();
      return response;
    };
    const created = await send("POST", "/Users", entraUser("441234567890"));
    expect(created.status, created.text).toBe(201);
    const path = `/Users/${created.body.id}`;
    const writes = [
      await send("PATCH", path, patch({ op: "Replace", path: "name.givenName", value: "Annie" })),
      await send("PATCH", path, patch({ op: "Replace", path: "name.givenName", value: "Annie" })), // no-op
      await send("POST", "/Users", entraUser("441234567890", { externalId: "other" })), // 409, refused
      await send("PATCH", path, patch({ op: "Replace", path: "active", value: "False" })),
      await send("PATCH", path, patch({ op: "Replace", path: "active", value: "True" })),
      await send("PUT", path, entraUser("441234567890", { displayName: "Bob Boss" })),
    ];
    // Every event so far is delivered. Writes keep a user's latest four settled events (version 1 went with
    // the PUT's batch), and the deletion's batch drops the rest (src/db/event-store.ts): rows are read before it.
    const rows = await eventRows(tenantId);
    writes.push(await send("DELETE", path));
    expect(writes.map((w) => w.status)).toEqual([200, 200, 409, 200, 200, 200, 204]);
    expect(pipeline.queue.sent.length, "one message per write that changed something").toBe(6);

    const received = pipeline.core.events();
    expect(received.map((e) => e.outcome)).toEqual(Array(6).fill("applied"));
    expect(received.map((e) => [(e.event as any).type, (e.event as any).version])).toEqual([
      ["user.created", 1],
      ["user.updated", 2],
      ["user.deactivated", 3],
      ["user.reactivated", 4],
      ["user.updated", 5],
      ["user.deleted", 6],
    ]);
    expect(rows.map((r) => r.version)).toEqual([2, 3, 4, 5]);
    expect(rows.map((r) => r.state)).toEqual(Array(4).fill("delivered"));
    expect(rows.map((r) => r.attempts)).toEqual(Array(4).fill(1));
    const [deletion, ...left] = await eventRows(tenantId);
    expect(left, "a deleted user's settled events are pruned with it").toEqual([]);
    expect(deletion).toMatchObject({ type: "user.deleted", state: "delivered", attempts: 1 });
    expect(received.slice(1).map((e) => e.idempotencyKey), "Idempotency-Key is the event id").toEqual([...rows.map((r) => r.id), deletion?.id]);

    const [held] = pipeline.core.users();
    expect(held).toMatchObject({ tenantId, accountId: "TM-2002", mobile: "441234567890", version: 6, deleted: true, active: false });
  });

  it("posts the full state the contract describes, with the tenant's account and manager", async () => {
    const pipeline = forwardingPipeline();
    const { tenantId, token } = await tenantWithToken();
    const created = await pipeline.scim(token, "POST", "/Users", entraUser("11234567890"));
    await pipeline.drain();
    const [received] = pipeline.core.events();
    expect(received?.event).toEqual({
      schemaVersion: 1,
      eventId: received?.idempotencyKey,
      type: "user.created",
      occurredAt: expect.any(String),
      tenantId,
      accountId: "TM-2002",
      manager: "Ann Manager",
      userId: created.body.id,
      mobile: "11234567890",
      version: 1,
      user: {
        userName: "11234567890",
        externalId: "11234567890",
        active: true,
        deleted: false,
        displayName: "Ann Manager",
        givenName: "Ann",
        familyName: "Lee",
        formattedName: "Ann Lee",
        workEmail: "ann.lee@contoso.example",
      },
    });
  });

  it("records the delivery in D1: the event delivered with its status, the user's cursor at its version", async () => {
    const pipeline = forwardingPipeline();
    const { tenantId, token } = await tenantWithToken();
    const created = await pipeline.scim(token, "POST", "/Users", entraUser("11234567891"));
    await pipeline.drain();
    const event = await env.DB.prepare("SELECT state, last_status, delivered_at FROM change_events WHERE tenant_id = ?")
      .bind(tenantId)
      .first<{ state: string; last_status: number; delivered_at: string }>();
    expect(event).toMatchObject({ state: "delivered", last_status: 200, delivered_at: pipeline.clock.now().toISOString() });
    const cursor = await env.DB.prepare("SELECT last_version FROM delivery_cursors WHERE tenant_id = ? AND user_id = ?")
      .bind(tenantId, created.body.id)
      .first<{ last_version: number }>();
    expect(cursor?.last_version).toBe(1);
  });

  it("logs one line per delivery with outcome, status, attempts and lag, and never the number, e-mail or token", async () => {
    const pipeline = forwardingPipeline();
    const { tenantId, token } = await tenantWithToken();
    pipeline.core.fail({ mode: "500", count: 1 });
    await pipeline.scim(token, "POST", "/Users", entraUser("85212345678"));
    await pipeline.drain();
    const lines = pipeline.logs.filter((l) => l.msg === "delivery");
    expect(lines.map((l) => [l.outcome, l.status, l.attempts])).toEqual([
      ["retry", 500, 1],
      ["delivered", 200, 2],
    ]);
    for (const line of lines) {
      expect(line).toMatchObject({ eventId: expect.any(String), tenant: tenantId, type: "user.created", version: 1, lagMs: expect.any(Number) });
    }
    const text = JSON.stringify(pipeline.logs);
    expect(text).not.toContain("85212345678");
    expect(text).not.toContain("ann.lee@contoso.example");
    expect(text).not.toContain(env.CORE_TOKEN);
  });
});
