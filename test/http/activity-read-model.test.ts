// src/activity/read-model.ts against the real local D1: what the console and `npm run tenants -- activity`
// read back. Rows are written straight into the tables here (the recording has its own tests), so each
// figure of TenantActivity can be checked against what is stored; the CLI's SQL text must give the very
// same activity as the Worker's bound statements.
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { openDb } from "../../src/db/client.ts";
import { changeEvents, deliveryCursors, tenantActivityCounts, tenantRefusals, users } from "../../src/db/schema.ts";
import {
  activitySqlText,
  assembleActivity,
  assembleSummaries,
  summariesSqlText,
  tenantActivity,
  tenantSummaries,
} from "../../src/activity/read-model.ts";
import { newTenantId } from "../support/gateway.ts";

const db = openDb(env.DB);
const NOW = new Date("2026-11-28T14:30:00.000Z");

// The test files share one D1, and the outbox cron of the forwarding tests re-sends whatever is pending
// anywhere: the events seeded here go when each test ends.
const seeded: string[] = [];
afterEach(async () => {
  for (const tenantId of seeded.splice(0)) await env.DB.prepare("DELETE FROM change_events WHERE tenant_id = ?").bind(tenantId).run();
});

async function seed(tenantId: string) {
  seeded.push(tenantId);
  await db.insert(tenantActivityCounts).values([
    // 2xx per day, anything else per hour (db/schema.ts).
    { tenantId, bucket: "2026-11-28", kind: "lookup", outcome: "2xx", count: 40, lastAt: "2026-11-28T14:20:00.000Z" },
    { tenantId, bucket: "2026-11-28", kind: "probe", outcome: "2xx", count: 3, lastAt: "2026-11-28T14:00:00.000Z" },
    { tenantId, bucket: "2026-11-27", kind: "create", outcome: "2xx", count: 5, lastAt: "2026-11-27T09:00:00.000Z" },
    { tenantId, bucket: "2026-11-28T13", kind: "create", outcome: "invalidValue", count: 2, lastAt: "2026-11-28T13:10:00.000Z" },
    { tenantId, bucket: "2026-11-28T14", kind: "create", outcome: "invalidValue", count: 1, lastAt: "2026-11-28T14:25:00.000Z" },
    // 25 h ago: yesterday's day, outside the last 24 h.
    { tenantId, bucket: "2026-11-27T13", kind: "update", outcome: "uniqueness", count: 7, lastAt: "2026-11-27T13:05:00.000Z" },
    // 30 days ago: no longer kept.
    { tenantId, bucket: "2026-10-29", kind: "lookup", outcome: "2xx", count: 99, lastAt: "2026-10-29T10:00:00.000Z" },
  ]);
  await db.insert(tenantRefusals).values([
    { tenantId, requestId: "r-1", at: "2026-11-28T13:10:00.000Z", kind: "create", status: 400, scimType: "invalidValue", reason: "unknown_manager", detail: "displayName does not name...", sent: "Ann Manger" },
    { tenantId, requestId: "r-2", at: "2026-11-28T14:25:00.000Z", kind: "create", status: 400, scimType: "invalidValue", reason: null, detail: "userName: ...", sent: null },
  ]);
  const user = (n: number, active: boolean) => ({
    id: `u-${tenantId}-${n}`, tenantId, userName: `1123456789${n}`, mobile: `1123456789${n}`, externalId: null, active, manager: "Ann Manager",
    version: 1, lastEventId: `e-${n}`, resource: {}, createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(),
  });
  await db.insert(users).values([user(1, true), user(2, true), user(3, false)]);
  const event = (n: number, state: "pending" | "enqueued" | "failed" | "delivered", occurredAt: string) => ({
    id: `e-${tenantId}-${n}`, tenantId, userId: `u-${tenantId}-1`, type: "user.updated" as const, version: n, occurredAt, state, payload: {} as never,
  });
  await db.insert(changeEvents).values([
    event(1, "delivered", "2026-11-28T10:00:00.000Z"),
    event(2, "failed", "2026-11-28T12:00:00.000Z"),
    event(3, "enqueued", "2026-11-28T14:00:00.000Z"),
    event(4, "pending", "2026-11-28T14:29:00.000Z"),
  ]);
  await db.insert(deliveryCursors).values([
    { tenantId, userId: `u-${tenantId}-1`, lastVersion: 1, lastEventId: "x", deliveredAt: "2026-11-28T10:00:05.000Z" },
    { tenantId, userId: `u-${tenantId}-2`, lastVersion: 1, lastEventId: "y", deliveredAt: "2026-11-27T10:00:05.000Z" },
  ]);
}

describe("a tenant's activity, read back", () => {
  it("gives the last request, probe and write, 30 days of counts, errors in the last 24 h, refusals, users and forwarding", async () => {
    const tenantId = newTenantId();
    const other = newTenantId();
    await seed(tenantId);
    await seed(other);
    const activity = await tenantActivity(db, tenantId.toUpperCase(), NOW);
    expect(activity).toEqual({
      tenantId,
      asOf: NOW.toISOString(),
      lastRequestAt: "2026-11-28T14:25:00.000Z",
      lastProbeAt: "2026-11-28T14:00:00.000Z",
      lastWriteAt: "2026-11-27T09:00:00.000Z",
      days: [
        { day: "2026-11-27", kind: "create", outcome: "2xx", count: 5 },
        { day: "2026-11-27", kind: "update", outcome: "uniqueness", count: 7 },
        { day: "2026-11-28", kind: "create", outcome: "invalidValue", count: 3 },
        { day: "2026-11-28", kind: "lookup", outcome: "2xx", count: 40 },
        { day: "2026-11-28", kind: "probe", outcome: "2xx", count: 3 },
      ],
      errorsLast24h: 3,
      refusals: [
        { at: "2026-11-28T14:25:00.000Z", requestId: "r-2", kind: "create", status: 400, scimType: "invalidValue", reason: null, detail: "userName: ...", sent: null },
        { at: "2026-11-28T13:10:00.000Z", requestId: "r-1", kind: "create", status: 400, scimType: "invalidValue", reason: "unknown_manager", detail: "displayName does not name...", sent: "Ann Manger" },
      ],
      users: { active: 2, disabled: 1 },
      forwarding: {
        pending: 2,
        failed: 1,
        oldestUndeliveredAt: "2026-11-28T12:00:00.000Z",
        oldestUndeliveredAgeSeconds: 9000,
        lastDeliveredAt: "2026-11-28T10:00:05.000Z",
      },
    });
  });

  it("gives a tenant with nothing recorded empty figures, not an error", async () => {
    const tenantId = newTenantId();
    const activity = await tenantActivity(db, tenantId, NOW);
    expect(activity).toMatchObject({ lastRequestAt: null, lastProbeAt: null, lastWriteAt: null, days: [], errorsLast24h: 0, refusals: [] });
    expect(activity.users).toEqual({ active: 0, disabled: 0 });
    expect(activity.forwarding).toEqual({ pending: 0, failed: 0, oldestUndeliveredAt: null, oldestUndeliveredAgeSeconds: null, lastDeliveredAt: null });
  });

  it("runs the CLI's SQL text (parameters written in) to the very same activity as the Worker's bound statements", async () => {
    const tenantId = newTenantId();
    await seed(tenantId);
    const texts = activitySqlText(tenantId, NOW);
    expect(texts.join("\n")).not.toContain("?");
    const results = await env.DB.batch<Record<string, unknown>>(texts.map((text) => env.DB.prepare(text)));
    expect(assembleActivity(tenantId, results.map((r) => r.results), NOW)).toEqual(await tenantActivity(db, tenantId, NOW));
    const summaries = assembleSummaries((await env.DB.prepare(summariesSqlText(NOW)).all<Record<string, unknown>>()).results);
    expect(summaries).toEqual(await tenantSummaries(db, NOW));
  });

  it("refuses a tenant id that is not a GUID before any SQL is written", async () => {
    for (const id of ["x' OR '1'='1", "'; DROP TABLE users; --", ""]) {
      expect(() => activitySqlText(id, NOW), id).toThrow(/GUID/);
      await expect(tenantActivity(db, id, NOW), id).rejects.toThrow(/GUID/);
    }
  });
});

describe("every tenant's summary", () => {
  it("gives each tenant with activity its last request and its errors in the last 24 h", async () => {
    const [a, b] = [newTenantId(), newTenantId()];
    await seed(a);
    await db.insert(tenantActivityCounts).values({ tenantId: b, bucket: "2026-11-20", kind: "probe", outcome: "2xx", count: 1, lastAt: "2026-11-20T08:00:00.000Z" });
    const summaries = await tenantSummaries(db, NOW);
    expect(summaries.find((s) => s.tenantId === a)).toEqual({ tenantId: a, lastRequestAt: "2026-11-28T14:25:00.000Z", errorsLast24h: 3 });
    expect(summaries.find((s) => s.tenantId === b)).toEqual({ tenantId: b, lastRequestAt: "2026-11-20T08:00:00.000Z", errorsLast24h: 0 });
  });
});
