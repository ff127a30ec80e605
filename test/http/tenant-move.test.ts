// Issue 15 §3: moving a tenant between shards while Entra keeps writing. The move (src/tools/tenants/move/)
// runs on the real local D1s of both shards and the real KV allow-list; requests go through the Worker's app
// (record cache off, so each request reads the record as KV holds it). The move is stopped after each step:
// the tenant must then be served from exactly one shard with nothing lost, and re-running must finish it
// with no user lost or doubled. A Worker still holding the old record after the flip writes to the old
// shard: it must get 503 + Retry-After, and nothing may be stored there.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { tenantKey } from "../../src/tenants/record.ts";
import type { ShardName } from "../../src/tenants/shard.ts";
import { MOVE_STEPS, MoveError, moveTenant, readMove, rollbackMove, type MovePorts, type MoveStep } from "../../src/tools/tenants/move/move.ts";
import { testDeps } from "../support/deps.ts";
import { allowTenant, devToken, entraUser, newTenantId } from "../support/gateway.ts";
import { createKvBindingStore } from "../../src/tenants/kv-binding-store.ts";
import { setTenantShard, tenantHistory } from "../../src/tenants/commands.ts";
import { commandDeps, d1Ledger } from "../support/ledger.ts";
import { d1Of } from "../support/shards.ts";

const FROM: ShardName = "DB";
const TO: ShardName = "DB_2";
const SHARDS = ["DB", "DB_2"] as const;
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

function movePorts() {
  let clock = Date.parse("2026-11-30T06:00:00.000Z");
  const said: string[] = [];
  const ports: MovePorts = {
    execute: async (shard, statements) => {
      const d1 = d1Of(shard);
      return (await d1.batch(statements.map((s) => d1.prepare(s)))).map((r) => r.results as Record<string, unknown>[]);
    },
    store: createKvBindingStore(env.TENANTS),
    // The flip through the ledger (the control plane, the first database) and published to KV, as the CLI does.
    recordShard: async (tenantId, shard) => void (await setTenantShard(commandDeps(), tenantId, shard, { reason: "moved between shards (test)" })),
    now: () => new Date(clock),
    sleep: async (ms) => {
      clock += ms;
    },
    say: (line) => said.push(line),
  };
  return { ports, said };
}

/** The Worker's app reading the allow-list fresh on every request; `tenants` replaces the KV it reads. */
async function request(method: string, path: string, tenantId: string, body?: unknown, tenants: KVNamespace = env.TENANTS) {
  const app = createApp(testDeps(), { auth: { tenantCacheMs: 0 } });
  const ctx = createExecutionContext();
  const res = await app.request(
    `https://gateway.test/scim/v2${path}`,
    {
      method,
      headers: { Authorization: `Bearer ${await devToken(tenantId)}`, ...(body === undefined ? {} : { "Content-Type": "application/scim+json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    },
    { ...env, TENANTS: tenants },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined, retryAfter: res.headers.get("retry-after") };
}

const rowsOf = async (shard: ShardName, tenantId: string) =>
  (await d1Of(shard).prepare("SELECT id, mobile, version, last_event_id FROM users WHERE tenant_id = ? ORDER BY id").bind(tenantId).all()).results;
const count = async (shard: ShardName, table: string, tenantId: string) =>
  (await d1Of(shard).prepare(`SELECT count(*) AS n FROM ${table} WHERE tenant_id = ?`).bind(tenantId).first<{ n: number }>())!.n;
const shardInRecord = async (tenantId: string) => JSON.parse((await env.TENANTS.get(tenantKey(tenantId)))!).shard;

/** A tenant on DB with three users, one patched and one deleted: users, pending events, a count. */
async function tenantWithUsers() {
  const tenantId = newTenantId();
  await allowTenant(tenantId, { shard: FROM });
  const ids: string[] = [];
  for (const mobile of ["441234567801", "441234567802", "441234567803", "441234567804"]) {
    const created = await request("POST", "/Users", tenantId, entraUser(mobile));
    expect(created.status, created.text).toBe(201);
    ids.push(created.body.id);
  }
  const patched = await request("PATCH", `/Users/${ids[0]}`, tenantId, { schemas: [PATCH], Operations: [{ op: "Replace", path: "name.givenName", value: "Annie" }] });
  expect(patched.status, patched.text).toBe(200);
  expect((await request("DELETE", `/Users/${ids[3]}`, tenantId)).status).toBe(204);
  return { tenantId, ids: ids.slice(0, 3), before: await rowsOf(FROM, tenantId) };
}

/** KV as a Worker with a stale cache sees it: the record as it was before the flip. */
const staleKv = (record: string): KVNamespace => ({ get: async () => record }) as unknown as KVNamespace;

describe("moving a tenant between shards", () => {
  it("moves users, undelivered events, cursors and count with ids, versions and event ids kept; the old shard ends empty and fenced", async () => {
    const { tenantId, before } = await tenantWithUsers();
    const oldRecord = (await env.TENANTS.get(tenantKey(tenantId)))!;
    const events = await count(FROM, "change_events", tenantId);
    const activity = await count(FROM, "tenant_activity_counts", tenantId);
    expect(activity, "the tenant's activity (issue 14) was recorded on its shard").toBeGreaterThan(0);
    const { ports } = movePorts();
    const state = await moveTenant(tenantId, TO, ports, { shards: SHARDS });
    expect(state.step).toBe("cleaned");
    expect(await shardInRecord(tenantId)).toBe(TO);
    expect(JSON.parse((await d1Ledger().get(tenantId))!.raw!).shard, "the ledger records the flip, so later edits keep it").toBe(TO);
    expect((await tenantHistory({ ledger: d1Ledger() }, tenantId))[0]?.changes).toEqual([{ field: "shard", from: FROM, to: TO }]);
    expect(await rowsOf(TO, tenantId)).toEqual(before);
    expect(await count(TO, "change_events", tenantId)).toBe(events);
    expect(await count(TO, "tenant_usage", tenantId)).toBe(1);
    expect(await count(TO, "tenant_activity_counts", tenantId), "its activity moved with it").toBe(activity);
    for (const table of ["users", "change_events", "tenant_usage", "tenant_activity_counts"]) expect(await count(FROM, table, tenantId), table).toBe(0);

    const listed = await request("GET", "/Users", tenantId);
    expect(listed.body.totalResults, listed.text).toBe(3);
    expect((await request("POST", "/Users", tenantId, entraUser("441234567899"))).status).toBe(201);
    expect(await count(TO, "users", tenantId)).toBe(4);

    // A Worker still holding the old record writes to the old shard: refused there, never stored.
    const stale = await request("POST", "/Users", tenantId, entraUser("441234567898"), staleKv(oldRecord));
    expect(stale.status, stale.text).toBe(503);
    expect(stale.retryAfter).toMatch(/^\d+$/);
    expect(stale.body.detail).toMatch(/moved to another database|retr/i);
    const stalePatch = await request("PATCH", `/Users/${before[0]!.id}`, tenantId, { schemas: [PATCH], Operations: [{ op: "Replace", path: "active", value: false }] }, staleKv(oldRecord));
    expect([stalePatch.status, await count(FROM, "users", tenantId), await count(TO, "users", tenantId)]).toEqual([503, 0, 4]);
  });

  it.each(MOVE_STEPS.filter((s) => s !== "cleaned"))("stopped after %s: served from exactly one shard, and re-running finishes with nothing lost or doubled", async (step: MoveStep) => {
    const { tenantId, ids } = await tenantWithUsers();
    const { ports } = movePorts();
    await moveTenant(tenantId, TO, ports, { shards: SHARDS, stopAfter: step });
    expect((await readMove(ports.execute, tenantId))?.step).toBe(step);
    const flipped = MOVE_STEPS.indexOf(step) >= MOVE_STEPS.indexOf("flipped");
    expect(await shardInRecord(tenantId)).toBe(flipped ? TO : FROM);

    const listed = await request("GET", "/Users", tenantId);
    expect(listed.body.Resources.map((u: { id: string }) => u.id).sort(), listed.text).toEqual([...ids].sort());

    // Writes: accepted before the source is fenced and after the target is un-fenced; 503 in between.
    const fenced = MOVE_STEPS.indexOf(step) >= MOVE_STEPS.indexOf("fenced") && MOVE_STEPS.indexOf(step) < MOVE_STEPS.indexOf("unfenced");
    const created = await request("POST", "/Users", tenantId, entraUser("441234567850"));
    const removed = await request("DELETE", `/Users/${ids[1]}`, tenantId);
    if (fenced) {
      expect([created.status, removed.status], created.text).toEqual([503, 503]);
      expect(created.retryAfter).toMatch(/^\d+$/);
    } else {
      expect([created.status, removed.status], created.text).toEqual([201, 204]);
    }

    const finished = await moveTenant(tenantId, TO, ports, { shards: SHARDS });
    expect(finished.step).toBe("cleaned");
    const expected = fenced ? ids : [ids[0], ids[2], created.body.id];
    expect((await rowsOf(TO, tenantId)).map((r) => r.id).sort()).toEqual([...expected].sort());
    expect(await count(FROM, "users", tenantId)).toBe(0);
    const mobiles = (await rowsOf(TO, tenantId)).map((r) => r.mobile);
    expect(new Set(mobiles).size, "no user doubled").toBe(mobiles.length);
    expect((await d1Of(TO).prepare("SELECT users FROM tenant_usage WHERE tenant_id = ?").bind(tenantId).first<{ users: number }>())?.users).toBe(expected.length);
    expect((await request("POST", "/Users", tenantId, entraUser("441234567851"))).status).toBe(201);
  });

  it.each(["planned", "copied", "fenced", "synced", "verified"] as const)("rolled back after %s: the tenant stays on the source with every user, and writes resume there", async (step) => {
    const { tenantId, before } = await tenantWithUsers();
    const { ports } = movePorts();
    await moveTenant(tenantId, TO, ports, { shards: SHARDS, stopAfter: step });
    await rollbackMove(tenantId, ports);
    expect(await shardInRecord(tenantId)).toBe(FROM);
    expect(await rowsOf(FROM, tenantId)).toEqual(before);
    for (const table of ["users", "change_events", "delivery_cursors", "tenant_usage", "tenant_fences"]) expect(await count(TO, table, tenantId), table).toBe(0);
    expect(await readMove(ports.execute, tenantId)).toBeUndefined();
    expect((await request("POST", "/Users", tenantId, entraUser("441234567860"))).status).toBe(201);
  });

  it("carries deliveries the consumer recorded on the source after the copy over to the target before cleaning up", async () => {
    const { tenantId } = await tenantWithUsers();
    const { ports } = movePorts();
    await moveTenant(tenantId, TO, ports, { shards: SHARDS, stopAfter: "unfenced" });
    // A message naming the source shard, delivered after the flip: its outcome is recorded there.
    const event = await d1Of(FROM).prepare("SELECT id FROM change_events WHERE tenant_id = ? AND state IN ('pending', 'enqueued') LIMIT 1").bind(tenantId).first<{ id: string }>();
    await d1Of(FROM).prepare("UPDATE change_events SET state = 'delivered', delivered_at = 'now' WHERE id = ?").bind(event!.id).run();
    expect((await moveTenant(tenantId, TO, ports, { shards: SHARDS })).step).toBe("cleaned");
    expect((await d1Of(TO).prepare("SELECT state FROM change_events WHERE id = ?").bind(event!.id).first<{ state: string }>())?.state).toBe("delivered");
  });

  it("refuses to roll back once the record names the target: the move can only be finished", async () => {
    const { tenantId } = await tenantWithUsers();
    const { ports } = movePorts();
    await moveTenant(tenantId, TO, ports, { shards: SHARDS, stopAfter: "flipped" });
    await expect(rollbackMove(tenantId, ports)).rejects.toThrow(/cannot be rolled back, only finished/);
    expect((await moveTenant(tenantId, TO, ports, { shards: SHARDS })).step).toBe("cleaned");
  });

  it("verifies counts and checksums: a difference sends the move back to sync, and the next run repairs it", async () => {
    const { tenantId, before } = await tenantWithUsers();
    const { ports } = movePorts();
    await moveTenant(tenantId, TO, ports, { shards: SHARDS, stopAfter: "synced" });
    await d1Of(TO).prepare("UPDATE users SET version = version + 7 WHERE tenant_id = ? AND id = ?").bind(tenantId, before[0]!.id).run();
    await expect(moveTenant(tenantId, TO, ports, { shards: SHARDS })).rejects.toThrow(MoveError);
    expect((await readMove(ports.execute, tenantId))?.step).toBe("fenced");
    expect(await shardInRecord(tenantId)).toBe(FROM);
    expect((await moveTenant(tenantId, TO, ports, { shards: SHARDS })).step).toBe("cleaned");
    expect(await rowsOf(TO, tenantId)).toEqual(before);
  });

  it("waits longer than KV propagation plus the record cache after the flip, before un-fencing and again before cleaning up", async () => {
    const { tenantId } = await tenantWithUsers();
    const { ports, said } = movePorts();
    const waits: number[] = [];
    const sleep = ports.sleep;
    ports.sleep = async (ms) => {
      waits.push(ms);
      await sleep(ms);
    };
    await moveTenant(tenantId, TO, ports, { shards: SHARDS });
    expect(waits.length).toBe(2);
    for (const ms of waits) expect(ms).toBeGreaterThan(60_000 + 5_000);
    expect(said.filter((l) => l.startsWith("waiting"))).toHaveLength(2);
  });

  it("refuses to start onto a shard that already holds the tenant's rows, or the shard it is on", async () => {
    const { tenantId } = await tenantWithUsers();
    const { ports } = movePorts();
    await expect(moveTenant(tenantId, FROM, ports, { shards: SHARDS })).rejects.toThrow(/already on shard DB/);
    await d1Of(TO).prepare("INSERT INTO users (id, tenant_id, user_name, mobile, active, version, last_event_id, resource, created_at, updated_at) VALUES (?, ?, 'x', '1', 1, 1, 'e', '{}', 'a', 'a')").bind(crypto.randomUUID(), tenantId).run();
    await expect(moveTenant(tenantId, TO, ports, { shards: SHARDS })).rejects.toThrow(/already holds 1 users/);
    expect(await readMove(ports.execute, tenantId)).toBeUndefined();
  });
});

describe("the fence is checked inside each write's own SQL", () => {
  it("a write whose fence arrives after it read the user, before its batch, is refused with 503 and stores nothing", async () => {
    const { tenantId, ids } = await tenantWithUsers();
    const real = d1Of(FROM);
    // The fence lands between the write's read and its batch: a read-then-write check would miss it.
    const racing = new Proxy(real, {
      get(target, key) {
        if (key === "batch") {
          return async (statements: D1PreparedStatement[]) => {
            await target.prepare("INSERT OR REPLACE INTO tenant_fences (tenant_id, state, shard, since) VALUES (?, 'moving-out', 'DB_2', 'now')").bind(tenantId).run();
            return target.batch(statements);
          };
        }
        const value = Reflect.get(target, key);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const versions = await rowsOf(FROM, tenantId);
    const events = await count(FROM, "change_events", tenantId);
    for (const [method, path, body] of [
      ["POST", "/Users", entraUser("441234567870")],
      ["PATCH", `/Users/${ids[0]}`, { schemas: [PATCH], Operations: [{ op: "Replace", path: "active", value: false }] }],
      ["PUT", `/Users/${ids[1]}`, entraUser("441234567802", { active: false })],
      ["DELETE", `/Users/${ids[2]}`, undefined],
    ] as const) {
      const app = createApp(testDeps(), { auth: { tenantCacheMs: 0 } });
      const ctx = createExecutionContext();
      const res = await app.request(
        `https://gateway.test/scim/v2${path}`,
        { method, headers: { Authorization: `Bearer ${await devToken(tenantId)}`, "Content-Type": "application/scim+json" }, ...(body ? { body: JSON.stringify(body) } : {}) },
        { ...env, DB: racing },
        ctx,
      );
      await waitOnExecutionContext(ctx);
      const text = await res.text();
      expect(res.status, `${method}: ${text}`).toBe(503);
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
      await real.prepare("DELETE FROM tenant_fences WHERE tenant_id = ?").bind(tenantId).run();
    }
    expect(await rowsOf(FROM, tenantId)).toEqual(versions);
    expect(await count(FROM, "change_events", tenantId)).toBe(events);
  });
});
