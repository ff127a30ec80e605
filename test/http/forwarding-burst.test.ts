// Issue 3 §6: a burst of 1,000 changes for 100 users, through the Worker, while the queue reorders and
// duplicates messages and refuses some sends, and the core fails for a while; in the end every user's
// state at the core equals its state in D1. Seeded, so a failure replays exactly.
import { env } from "cloudflare:test";
import { expect, it } from "vitest";
import type { CoreEvent } from "../../src/core-event.ts";
import { allowTenant, devToken, entraUser, newTenantId } from "../support/gateway.ts";
import { forwardingPipeline, seededRandom } from "../support/forwarding.ts";
import { testD1 } from "../support/shards.ts";

const TENANTS = 4;
const USERS_PER_TENANT = 25;
const CHANGES_PER_USER = 10;
/** User scripts running at once: a burst, not a queue of requests. */
const PARALLEL_USERS = 20;

const patch = (...Operations: unknown[]) => ({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations });

it("a burst of 1,000 changes for 100 users: every user's final state at the core equals its state in D1", async () => {
  const pipeline = forwardingPipeline({ seed: 2026 });
  const random = seededRandom(7);
  pipeline.queue.duplicateRate = 0.05;
  pipeline.queue.failSends = 5;
  pipeline.core.fail({ mode: "500", count: 40 });

  const tenants = await Promise.all(
    Array.from({ length: TENANTS }, async () => {
      const tenantId = newTenantId();
      await allowTenant(tenantId);
      return { tenantId, token: await devToken(tenantId) };
    }),
  );

  // Every step changes something (unique names, a real flip of active), so 1,000 steps are 1,000 events.
  const scripts = tenants.flatMap(({ token }, t) =>
    Array.from({ length: USERS_PER_TENANT }, (_, u) => async () => {
      const mobile = `4477${String(t).padStart(2, "0")}${String(u).padStart(6, "0")}`;
      const created = await pipeline.scim(token, "POST", "/Users", entraUser(mobile));
      expect(created.status, created.text).toBe(201);
      const path = `/Users/${created.body.id}`;
      let active = true;
      const deletesAtEnd = random() < 0.1;
      for (let step = 1; step < CHANGES_PER_USER; step++) {
        const roll = random();
        let response;
        if (step === CHANGES_PER_USER - 1 && deletesAtEnd) response = await pipeline.scim(token, "DELETE", path);
        else if (roll < 0.45) response = await pipeline.scim(token, "PATCH", path, patch({ op: "Replace", path: "name.givenName", value: `G${t}-${u}-${step}` }));
        else if (roll < 0.7) {
          active = !active;
          response = await pipeline.scim(token, "PATCH", path, patch({ op: "Replace", path: "active", value: active ? "True" : "False" }));
        } else {
          response = await pipeline.scim(token, "PUT", path, entraUser(mobile, { active, name: { givenName: `P${step}`, familyName: `F${t}-${u}-${step}` } }));
        }
        expect(response.status, response.text).toBeLessThan(300);
      }
    }),
  );
  const started = Date.now();
  for (let next = 0; next < scripts.length; next += PARALLEL_USERS) {
    await Promise.all(scripts.slice(next, next + PARALLEL_USERS).map((run) => run()));
  }
  const written = Date.now();

  await pipeline.drain({ concurrency: 5 });
  pipeline.clock.advance(60_000); // the sends the queue refused are re-sent by the cron
  await pipeline.cron();
  await pipeline.drain({ concurrency: 5 });
  console.log(JSON.stringify({ burst: { writesMs: written - started, deliveryMs: Date.now() - written, coreCalls: pipeline.core.events().length } }));

  const tenantIds = tenants.map((t) => t.tenantId);
  const inTenants = `tenant_id IN (${tenantIds.map(() => "?").join(", ")})`;
  const events = (
    await testD1.prepare(`SELECT id, tenant_id, user_id, version, state, payload FROM change_events WHERE ${inTenants}`)
      .bind(...tenantIds)
      .all<{ id: string; tenant_id: string; user_id: string; version: number; state: string; payload: string }>()
  ).results;
  expect(events).toHaveLength(TENANTS * USERS_PER_TENANT * CHANGES_PER_USER);
  const unsettled = events.filter((e) => e.state !== "delivered" && e.state !== "skipped");
  expect(unsettled, "every event delivered or superseded").toEqual([]);

  const rows = (
    await testD1.prepare(`SELECT tenant_id, id, version, last_event_id FROM users WHERE ${inTenants}`)
      .bind(...tenantIds)
      .all<{ tenant_id: string; id: string; version: number; last_event_id: string }>()
  ).results;
  const payloadOf = new Map(events.map((e) => [e.id, JSON.parse(e.payload) as CoreEvent]));
  const lastVersionOf = new Map<string, number>();
  for (const e of events) lastVersionOf.set(`${e.tenant_id}/${e.user_id}`, Math.max(e.version, lastVersionOf.get(`${e.tenant_id}/${e.user_id}`) ?? 0));
  const atCore = new Map(pipeline.core.users().map((u) => [`${u.tenantId}/${u.userId}`, u]));
  expect(atCore.size, "the core holds every user ever created").toBe(TENANTS * USERS_PER_TENANT);

  for (const row of rows) {
    const held = atCore.get(`${row.tenant_id}/${row.id}`);
    const expected = payloadOf.get(row.last_event_id)!;
    expect(held, row.id).toMatchObject({ version: row.version, mobile: expected.mobile, active: expected.user.active, deleted: false });
    expect(held?.user, row.id).toEqual(expected.user);
  }
  const deleted = [...atCore.values()].filter((u) => !rows.some((r) => r.tenant_id === u.tenantId && r.id === u.userId));
  expect(deleted.length).toBe(TENANTS * USERS_PER_TENANT - rows.length);
  for (const gone of deleted) {
    expect(gone, gone.userId).toMatchObject({ deleted: true, active: false, version: lastVersionOf.get(`${gone.tenantId}/${gone.userId}`) });
  }
}, 120_000);
