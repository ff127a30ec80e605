// The Worker's one seam for what varies (src/deps.ts, issue 13 §2): a Worker built with a clock and an id
// source of its own writes users and change events with exactly those, through the same fetch handler the
// runtime calls. Before the seam, routes read new Date() and crypto.randomUUID() themselves, so a test
// could not pin an event's occurredAt.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import type { JWK } from "jose";
import { describe, expect, it } from "vitest";
import devKey from "../../src/tools/dev/dev-signing-key.json";
import { signDevToken } from "../../src/tools/dev/dev-token.ts";
import { createWorker } from "../../src/worker.ts";
import { runtimeInputs } from "../support/deps.ts";
import { allowTenant, BASE, entraUser, newTenantId } from "../support/gateway.ts";
import { testD1 } from "../support/shards.ts";

const CREATED_AT = "2031-02-03T04:05:06.789Z";
const DISABLED_AT = "2031-02-03T05:00:00.000Z";

function pinnedWorker() {
  let now = new Date(CREATED_AT);
  const prefix = crypto.randomUUID();
  let ids = 0;
  const worker = createWorker({ ...runtimeInputs(), now: () => now, newId: () => `${prefix}-${++ids}` });
  return {
    prefix,
    setTime: (iso: string) => void (now = new Date(iso)),
    async send(token: string, method: string, path: string, body?: unknown) {
      const ctx = createExecutionContext();
      const headers: Record<string, string> = { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" };
      const res = await worker.fetch(new Request(`${BASE}${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) }), env, ctx);
      await waitOnExecutionContext(ctx);
      const text = await res.text();
      return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
    },
  };
}

/** An allow-listed tenant with a token issued at the pinned time (the Worker checks tokens by its one clock). */
async function tenantAt(iso: string) {
  const tenantId = newTenantId();
  await allowTenant(tenantId);
  const token = await signDevToken({ jwk: devKey as JWK, tenantId, now: () => Date.parse(iso), expiresInSeconds: 4 * 3600 });
  return { tenantId, token };
}

async function eventsOf(tenantId: string) {
  const { results } = await testD1.prepare("SELECT id, type, occurred_at, payload FROM change_events WHERE tenant_id = ? ORDER BY version")
    .bind(tenantId)
    .all<{ id: string; type: string; occurred_at: string; payload: string }>();
  return results.map((row) => ({ id: row.id, type: row.type, occurredAt: row.occurred_at, payloadOccurredAt: JSON.parse(row.payload).occurredAt }));
}

describe("a Worker built with its own clock and ids", () => {
  it("writes each change event at that clock's time, in the row and in the body for the core", async () => {
    const { tenantId, token } = await tenantAt(CREATED_AT);
    const gateway = pinnedWorker();
    const created = await gateway.send(token, "POST", "/Users", entraUser("441234567890"));
    expect(created.status, created.text).toBe(201);
    expect(created.body.meta).toMatchObject({ created: CREATED_AT, lastModified: CREATED_AT });

    gateway.setTime(DISABLED_AT);
    const disabled = await gateway.send(token, "PATCH", `/Users/${created.body.id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    });
    expect(disabled.status, disabled.text).toBe(200);
    expect(disabled.body.meta).toMatchObject({ created: CREATED_AT, lastModified: DISABLED_AT });

    expect(await eventsOf(tenantId)).toEqual([
      { id: expect.any(String), type: "user.created", occurredAt: CREATED_AT, payloadOccurredAt: CREATED_AT },
      { id: expect.any(String), type: "user.deactivated", occurredAt: DISABLED_AT, payloadOccurredAt: DISABLED_AT },
    ]);
  });

  it("names users and events with its own ids", async () => {
    const { tenantId, token } = await tenantAt(CREATED_AT);
    const gateway = pinnedWorker();
    const created = await gateway.send(token, "POST", "/Users", entraUser("441234567891"));
    expect(created.status, created.text).toBe(201);
    expect(created.body.id).toBe(`${gateway.prefix}-1`);
    const deleted = await gateway.send(token, "DELETE", `/Users/${created.body.id}`);
    expect(deleted.status, deleted.text).toBe(204);
    expect((await eventsOf(tenantId)).map((e) => [e.type, e.id])).toEqual([
      ["user.created", `${gateway.prefix}-2`],
      ["user.deleted", `${gateway.prefix}-3`],
    ]);
  });
});
