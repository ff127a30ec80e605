// Following one Entra request: its log line names the user it wrote and the change event it recorded, the
// very ids in D1 (users.last_event_id, change_events.id), and the event id is what the core receives as
// its Idempotency-Key. README, "Logs and tracing".
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { testDeps } from "../support/deps.ts";
import { forwardingPipeline } from "../support/forwarding.ts";
import { allowTenant, devToken, entraUser, newTenantId, sendThrough } from "../support/gateway.ts";

async function tracedGateway() {
  const lines: Record<string, unknown>[] = [];
  const app = createApp(testDeps({ log: (fields) => void lines.push(fields) }));
  const tenantId = newTenantId();
  await allowTenant(tenantId);
  const token = await devToken(tenantId);
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await sendThrough(app, token, method, path, body);
    const text = await res.text();
    return { res, body: text ? JSON.parse(text) : undefined, line: lines.at(-1) as Record<string, unknown> };
  };
  return { send };
}

const eventRow = (id: unknown) => env.DB.prepare("SELECT user_id, type, version FROM change_events WHERE id = ?").bind(id).first();

describe("tracing a request from its log line to D1", () => {
  it("logs the user id and event id of a create, matching users.last_event_id and the change_events row", async () => {
    const { send } = await tracedGateway();
    const { res, body, line } = await send("POST", "/Users", entraUser("11234567890"));
    expect(res.status).toBe(201);
    expect(line.requestId).toBe(res.headers.get("x-request-id"));
    expect(line.userId).toBe(body.id);
    const user = await env.DB.prepare("SELECT last_event_id FROM users WHERE id = ?").bind(body.id).first<{ last_event_id: string }>();
    expect(line.eventId).toBe(user?.last_event_id);
    expect(await eventRow(line.eventId)).toEqual({ user_id: body.id, type: "user.created", version: 1 });
  });

  it("logs a new event for each change and for a delete, and none for a PATCH that changes nothing", async () => {
    const { send } = await tracedGateway();
    const { body } = await send("POST", "/Users", entraUser("441234567890"));
    const patch = (value: unknown) => ({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "Replace", path: "active", value }] });

    const disabled = await send("PATCH", `/Users/${body.id}`, patch("False"));
    expect(await eventRow(disabled.line.eventId)).toMatchObject({ type: "user.deactivated", version: 2 });

    const unchanged = await send("PATCH", `/Users/${body.id}`, patch(false));
    expect(unchanged.line).toMatchObject({ status: 200, userId: body.id });
    expect(unchanged.line.eventId).toBeUndefined();

    const deleted = await send("DELETE", `/Users/${body.id}`);
    expect(deleted.line).toMatchObject({ status: 204, userId: body.id });
    expect(await eventRow(deleted.line.eventId)).toMatchObject({ user_id: body.id, type: "user.deleted", version: 3 });
  });
});

describe("tracing a change from its request to its delivery (issue 14 §4)", () => {
  it("names the originating request id in each delivery line, retries and dead letters included", async () => {
    const pipeline = forwardingPipeline({ maxRetries: 1 });
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const token = await devToken(tenantId);
    const created = await pipeline.scim(token, "POST", "/Users", entraUser("11234567890"));
    expect(created.status, created.text).toBe(201);
    await pipeline.drain();
    const requestId = created.headers.get("x-request-id");
    expect(pipeline.logs.filter((l) => l.msg === "delivery")).toEqual([expect.objectContaining({ outcome: "delivered", requestId })]);

    pipeline.core.fail({ mode: "500" });
    const deleted = await pipeline.scim(token, "DELETE", `/Users/${created.body.id}`);
    expect(deleted.status).toBe(204);
    pipeline.logs.length = 0;
    await pipeline.drain();
    const lines = pipeline.logs.filter((l) => l.msg === "delivery");
    expect(lines.map((l) => l.outcome)).toEqual(["retry", "retry", "dead-lettered"]);
    expect(lines.map((l) => l.requestId)).toEqual(Array(3).fill(deleted.headers.get("x-request-id")));
  });
});
