// The delivery side of the outbox against real D1: the cursor only ever moves up (so a late "delivered"
// for an older version, after two consumers raced, cannot make the gateway re-send what the core has
// superseded), and settled events stay settled.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openDb } from "../../src/db/client.ts";
import { findDeliveryState, recordDeadLettered, recordDelivered, recordSkipped } from "../../src/db/delivery-store.ts";
import { newTenantId } from "../support/gateway.ts";

const db = openDb(env.DB);

async function seed(tenantId: string, userId: string, version: number) {
  const id = crypto.randomUUID();
  await env.DB.prepare(
    "INSERT INTO change_events (id, tenant_id, user_id, type, version, occurred_at, payload, state) VALUES (?, ?, ?, 'user.updated', ?, ?, '{}', 'enqueued')",
  )
    .bind(id, tenantId, userId, version, new Date().toISOString())
    .run();
  return { eventId: id, tenantId, userId, version };
}

describe("delivery store", () => {
  it("advances the user's cursor only upwards", async () => {
    const tenantId = newTenantId();
    const v3 = await seed(tenantId, "u1", 3);
    const v2 = await seed(tenantId, "u1", 2);
    await recordDelivered(db, v3, 200, "2026-11-28T10:00:00.000Z");
    await recordDelivered(db, v2, 409, "2026-11-28T10:00:01.000Z");
    const cursor = await env.DB.prepare("SELECT last_version, last_event_id FROM delivery_cursors WHERE tenant_id = ? AND user_id = 'u1'")
      .bind(tenantId)
      .first();
    expect(cursor).toEqual({ last_version: 3, last_event_id: v3.eventId });
    expect((await findDeliveryState(db, v2.eventId))?.deliveredVersion).toBe(3);
  });

  it("keeps a delivered event delivered when a stale copy is skipped or dead-lettered", async () => {
    const tenantId = newTenantId();
    const event = await seed(tenantId, "u2", 1);
    await recordDelivered(db, event, 200, "2026-11-28T10:00:00.000Z");
    await recordSkipped(db, event.eventId);
    await recordDeadLettered(db, [event.eventId], new Date().toISOString());
    expect(await findDeliveryState(db, event.eventId)).toEqual({ state: "delivered", attempts: 1, deliveredVersion: 1, requestId: null });
  });

  it("dead-letters a batch larger than D1's 100 bound parameters", async () => {
    const tenantId = newTenantId();
    const events = [];
    for (let i = 0; i < 150; i++) events.push(await seed(tenantId, `u${i}`, 1));
    await recordDeadLettered(db, events.map((e) => e.eventId), new Date().toISOString());
    const { results } = await env.DB.prepare("SELECT state, count(*) AS n FROM change_events WHERE tenant_id = ? GROUP BY state").bind(tenantId).all();
    expect(results).toEqual([{ state: "failed", n: 150 }]);
  });
});
