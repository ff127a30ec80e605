// Issue 6 §3: the core down for a long stretch, then back. Every acknowledged change reaches it once in
// effect, its state ends equal to D1's, and nothing stays failed unless the core refused it.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { allowTenant, devToken, entraUser, newTenantId } from "../support/gateway.ts";
import { eventRows, forwardingPipeline, type Forwarding } from "../support/forwarding.ts";

const patch = (...Operations: unknown[]) => ({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations });

/** 10 users, each created, renamed and disabled: 30 changes. */
async function provision(pipeline: Forwarding) {
  const tenantId = newTenantId();
  await allowTenant(tenantId);
  const token = await devToken(tenantId);
  for (let u = 0; u < 10; u++) {
    const created = await pipeline.scim(token, "POST", "/Users", entraUser(`4477009${String(u).padStart(5, "0")}`));
    expect(created.status, created.text).toBe(201);
    const path = `/Users/${created.body.id}`;
    expect((await pipeline.scim(token, "PATCH", path, patch({ op: "Replace", path: "name.givenName", value: `N${u}` }))).status).toBe(200);
    expect((await pipeline.scim(token, "PATCH", path, patch({ op: "Replace", path: "active", value: "False" }))).status).toBe(200);
  }
  return tenantId;
}

/** The core's users of a tenant against D1's rows: same versions and active flags. */
async function expectCoreEqualsD1(pipeline: Forwarding, tenantId: string) {
  const rows = (
    await env.DB.prepare("SELECT id, version, active FROM users WHERE tenant_id = ?").bind(tenantId).all<{ id: string; version: number; active: number }>()
  ).results;
  const atCore = new Map(pipeline.core.users().filter((u) => u.tenantId === tenantId).map((u) => [u.userId, u]));
  expect(atCore.size).toBe(rows.length);
  for (const row of rows) expect(atCore.get(row.id), row.id).toMatchObject({ version: row.version, active: row.active === 1 });
}

// Some 330 deliveries through D1 in simulated time: 2-3 s on an idle machine, 8-9 s on two cores shared by
// several suites, past vitest's default 5 s. Nothing here is timed; the bound only stops a hang.
const LONG = { timeout: 30_000 };

describe("a long core outage", () => {
  it("core failing for 300 calls, then back: all 30 changes delivered, none failed, state equal to D1", LONG, async () => {
    const pipeline = forwardingPipeline({ seed: 11 });
    pipeline.core.fail({ mode: "500", count: 300 });
    const tenantId = await provision(pipeline);
    await pipeline.drain({ concurrency: 5 });

    const rows = await eventRows(tenantId);
    expect(rows).toHaveLength(30);
    expect(rows.filter((r) => r.state !== "delivered" && r.state !== "skipped")).toEqual([]);
    const injected = pipeline.core.events().filter((e) => e.outcome.startsWith("injected")).length;
    expect(injected).toBe(300);
    await expectCoreEqualsD1(pipeline, tenantId);
  });

  it("core down past every retry: dead-lettered changes are re-sent by the cron an hour later, with no operator", LONG, async () => {
    const pipeline = forwardingPipeline({ seed: 12, maxRetries: 3 });
    pipeline.core.fail({ mode: "500" });
    const tenantId = await provision(pipeline);
    await pipeline.drain({ concurrency: 5 });
    expect(new Set((await eventRows(tenantId)).map((r) => r.state))).toEqual(new Set(["failed"]));

    pipeline.core.recover();
    pipeline.clock.advance(30 * 60_000);
    await pipeline.cron();
    expect(pipeline.readyOwn(), "not before the hour is up").toHaveLength(0);
    pipeline.clock.advance(31 * 60_000);
    await pipeline.cron();
    await pipeline.drain({ concurrency: 5 });

    const rows = await eventRows(tenantId);
    expect(rows.filter((r) => r.state !== "delivered" && r.state !== "skipped")).toEqual([]);
    await expectCoreEqualsD1(pipeline, tenantId);
  });

  it("leaves an event the core refused (400) failed for an operator, while the outage's dead letters heal", async () => {
    const pipeline = forwardingPipeline({ seed: 13, maxRetries: 3 });
    pipeline.core.fail({ mode: "400", count: 1 });
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const token = await devToken(tenantId);
    await pipeline.scim(token, "POST", "/Users", entraUser("447700900001"));
    await pipeline.drain();
    pipeline.clock.advance(2 * 60 * 60_000);
    await pipeline.cron();
    await pipeline.drain();
    const [refused] = await eventRows(tenantId);
    expect(refused).toMatchObject({ state: "failed", last_status: 400 });
  });
});
