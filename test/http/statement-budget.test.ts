// Issue 5's statement budget, through the whole Worker on the real local D1: a lookup is one statement, a
// create one batch (of three statements), a PATCH one read and one batch; once the tenant's keys are cached no request fetches
// them again, and a cached allow-list answer spares the KV read. The D1 binding is a counting Proxy of the
// real one (test/bench/counting-d1.ts, also used by `npm run bench`); the outbox relay's statement after
// the response (marking the event enqueued) is told apart by its SQL, since it may run at either side of
// the response, and so are the tenant's activity writes (issue 14 §1), whose own budget is pinned below:
// at most one statement per 50 requests.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { testDeps } from "../support/deps.ts";
import { microsoft } from "../support/microsoft-keys.ts";
import { signDevToken } from "../../src/tools/dev/dev-token.ts";
import { countingD1, countingKv, emptyCounts, type D1Counts } from "../bench/counting-d1.ts";
import { allowTenant, BASE, entraUser, newTenantId } from "../support/gateway.ts";

/** Statements of the tenant's activity (src/activity/store.ts), in a log entry of the counting binding. */
const activityStatements = (entry: string) => (/^batch\[(\d+)\]:insert into "tenant_activity_counts"/.test(entry) ? Number(/^batch\[(\d+)\]/.exec(entry)?.[1]) : 0);

/** What one request did to D1, by kind: reads run alone, write batches touching users, relay batches, activity. */
function classify(counts: D1Counts) {
  const log = counts.log.filter((s) => activityStatements(s) === 0);
  const writes = log.filter((s) => s.startsWith("batch[") && s.includes('"users"'));
  const relay = log.filter((s) => s.startsWith("batch[") && !s.includes('"users"'));
  return {
    reads: counts.single,
    writeBatches: writes.map((s) => Number(/^batch\[(\d+)\]/.exec(s)?.[1])),
    relayOnlyMarksEvents: relay.every((s) => /^batch\[\d+\]:update "change_events" set "state"/.test(s)),
    exec: counts.exec,
  };
}

async function setUp() {
  const ms = await microsoft("ms-bench-1");
  const tenantId = newTenantId();
  await allowTenant(tenantId);
  const token = await signDevToken({ jwk: ms.privateJwk, tenantId });
  const d1 = { counts: emptyCounts() };
  const kv = { kvGets: 0 };
  // The production [vars]: no development key is trusted, so the token's keys must be fetched.
  const production = JSON.parse(env.PRODUCTION_VARS) as Record<string, string>;
  const counted = { ...env, ...production, DB: countingD1(env.DB, () => d1.counts), TENANTS: countingKv(env.TENANTS, kv) };
  const app = createApp(testDeps({ fetch: ms.fetch }));
  const send = async (method: string, path: string, body?: unknown) => {
    d1.counts = emptyCounts();
    kv.kvGets = 0;
    ms.fetched.length = 0;
    const ctx = createExecutionContext();
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (body !== undefined) headers["Content-Type"] = "application/scim+json";
    const res = await app.request(`${BASE}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }, counted, ctx);
    const text = await res.text();
    await waitOnExecutionContext(ctx);
    const activity = d1.counts.log.reduce((n, entry) => n + activityStatements(entry), 0);
    return { status: res.status, text, json: text ? JSON.parse(text) : undefined, d1: classify(d1.counts), activity, kvGets: kv.kvGets, fetches: ms.fetched.length };
  };
  return { send, ms };
}

describe("D1 statements per request", () => {
  it("fetches the tenant's keys once, then looks a user up with one statement and no key fetch or allow-list read", async () => {
    const { send } = await setUp();
    const first = await send("GET", "/Users?filter=userName+eq+%2211234567890%22");
    expect(first.status, first.text).toBe(200);
    expect(first.fetches).toBe(1);

    const lookup = await send("GET", "/Users?filter=userName+eq+%2211234567890%22");
    expect(lookup.status, lookup.text).toBe(200);
    expect(lookup.d1).toEqual({ reads: 1, writeBatches: [], relayOnlyMarksEvents: true, exec: 0 });
    expect([lookup.fetches, lookup.kvGets]).toEqual([0, 0]);
  });

  // The create's batch holds three statements since issue 11 §3: the user (inserted only under the tenant's
  // quota), its event, and the tenant's running count of users. Still one batch, one round trip.
  it("creates a user with one batch (the user, its event and the tenant's count), and reads it by id with one statement", async () => {
    const { send } = await setUp();
    await send("GET", "/Users?filter=userName+eq+%2211234567891%22");

    const created = await send("POST", "/Users", entraUser("11234567891"));
    expect(created.status, created.text).toBe(201);
    expect(created.d1).toEqual({ reads: 0, writeBatches: [3], relayOnlyMarksEvents: true, exec: 0 });
    expect(created.fetches).toBe(0);

    const read = await send("GET", `/Users/${created.json.id}`);
    expect(read.status, read.text).toBe(200);
    expect(read.d1).toEqual({ reads: 1, writeBatches: [], relayOnlyMarksEvents: true, exec: 0 });
  });

  it("patches with one read and one batch, for Entra's multi-op body and for a disable with \"False\"", async () => {
    const { send } = await setUp();
    const created = await send("POST", "/Users", entraUser("11234567892"));
    expect(created.status, created.text).toBe(201);

    const multiOp = await send("PATCH", `/Users/${created.json.id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [
        { op: "Replace", path: "name.givenName", value: "Annie" },
        { op: "Add", path: "title", value: "Counsel" },
      ],
    });
    expect(multiOp.status, multiOp.text).toBe(200);
    // The batch: the versioned UPDATE, its event, and the prune of the user's older settled events
    // (SETTLED_EVENTS_KEPT_PER_USER, src/db/event-store.ts), which bounds what one user can leave in the outbox.
    expect(multiOp.d1).toEqual({ reads: 1, writeBatches: [3], relayOnlyMarksEvents: true, exec: 0 });

    const disable = await send("PATCH", `/Users/${created.json.id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    });
    expect(disable.status, disable.text).toBe(200);
    expect(disable.d1).toEqual({ reads: 1, writeBatches: [3], relayOnlyMarksEvents: true, exec: 0 });
    expect([multiOp.fetches, disable.fetches]).toEqual([0, 0]);
  });
});

describe("the activity's D1 statements (issue 14 §1)", () => {
  it("cost a busy tenant at most one statement per 50 requests: its first request, then one per 100", async () => {
    const { send } = await setUp();
    const statuses = new Set<number>();
    let activity = 0;
    const REQUESTS = 250;
    for (let i = 0; i < REQUESTS; i++) {
      const lookup = await send("GET", "/Users?filter=userName+eq+%2211234567890%22");
      statuses.add(lookup.status);
      activity += lookup.activity;
    }
    expect([...statuses]).toEqual([200]);
    // The first request of the tenant (written at once), then the 101st and the 201st.
    expect(activity).toBe(3);
    expect(activity).toBeLessThanOrEqual(REQUESTS / 50);
  });

  it("is one statement per flush when nothing was refused, three when something was", async () => {
    const { send } = await setUp();
    const ok = await send("GET", "/Users?filter=userName+eq+%2211234567890%22");
    expect(ok.activity).toBe(1);
    const { send: other } = await setUp();
    const refused = await other("POST", "/Users", entraUser("0123 456 7890"));
    expect(refused.status, refused.text).toBe(400);
    expect(refused.activity).toBe(3);
  });
});
