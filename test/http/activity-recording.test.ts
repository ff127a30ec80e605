// Issue 14 §1 through the Worker's app on the real local D1: each tenant's requests are counted by kind and
// outcome and its refusals kept (masked), written after the response, the first request of a tenant at
// once and the rest on count or age; only proven tenants are recorded, each apart from the others.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { openDb } from "../../src/db/client.ts";
import { tenantActivity } from "../../src/activity/read-model.ts";
import { FLUSH_AFTER_MS } from "../../src/activity/recorder.ts";
import { linesInto, testDeps } from "../support/deps.ts";
import type { JWK } from "jose";
import devKey from "../../src/tools/dev/dev-signing-key.json";
import { signDevToken } from "../../src/tools/dev/dev-token.ts";
import { allowTenant, BASE, devToken, entraUser, newTenantId, sendThrough } from "../support/gateway.ts";

const db = openDb(env.DB);
const PROBE = "/Users?filter=userName+eq+%229c1b7f3e-2d4a-4c55-9a0e-0f1e2d3c4b5a%22";
const LOOKUP = "/Users?filter=userName+eq+%2211234567890%22";

/** An app of its own (its own isolate-level aggregate) with a clock the test moves. */
async function gateway(record: Parameters<typeof allowTenant>[1] = {}) {
  let clock = Date.parse("2026-11-28T10:00:00.000Z");
  const lines: string[] = [];
  const app = createApp(testDeps({ now: () => new Date(clock), log: linesInto(lines) }));
  const tenantId = newTenantId();
  await allowTenant(tenantId, record);
  // Signed at the test's clock, which the Worker checks it against.
  const token = await signDevToken({ jwk: devKey as JWK, tenantId, now: () => clock });
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await sendThrough(app, token, method, path, body);
    return { status: res.status, text: await res.text() };
  };
  return {
    app,
    tenantId,
    token,
    send,
    lines,
    advance: (ms: number) => void (clock += ms),
    now: () => new Date(clock),
    activity: () => tenantActivity(db, tenantId, new Date(clock)),
  };
}

const total = (days: { kind: string; outcome: string; count: number }[], kind: string, outcome = "2xx") =>
  days.filter((d) => d.kind === kind && d.outcome === outcome).reduce((n, d) => n + d.count, 0);

describe("recording a tenant's activity", () => {
  it("writes a tenant's first request at once, holds the next ones, and writes them with the first request 30 s later", async () => {
    const g = await gateway();
    expect((await g.send("GET", PROBE)).status).toBe(200);
    const first = await g.activity();
    expect(first.lastProbeAt).toBe("2026-11-28T10:00:00.000Z");
    expect(first.days).toEqual([{ day: "2026-11-28", kind: "probe", outcome: "2xx", count: 1 }]);

    for (let i = 0; i < 5; i++) {
      g.advance(1000);
      expect((await g.send("GET", LOOKUP)).status).toBe(200);
    }
    expect(total((await g.activity()).days, "lookup"), "held in the isolate until count or age").toBe(0);

    g.advance(FLUSH_AFTER_MS);
    await g.send("GET", LOOKUP);
    const later = await g.activity();
    expect(total(later.days, "lookup")).toBe(6);
    expect(later.lastRequestAt).toBe(g.now().toISOString());
  });

  it("counts creates, updates, disables, deletes and lookups by id apart, and the last successful write", async () => {
    const g = await gateway();
    await g.send("GET", PROBE);
    const created = await g.send("POST", "/Users", entraUser("11234567890"));
    expect(created.status, created.text).toBe(201);
    const id = JSON.parse(created.text).id as string;
    const patch = (value: unknown, path = "active") => ({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "Replace", path, value }] });
    expect((await g.send("PATCH", `/Users/${id}`, patch("Annie", "name.givenName"))).status).toBe(200);
    expect((await g.send("PATCH", `/Users/${id}`, patch("False"))).status).toBe(200);
    expect((await g.send("GET", `/Users/${id}`)).status).toBe(200);
    g.advance(1000);
    expect((await g.send("DELETE", `/Users/${id}`)).status).toBe(204);
    g.advance(FLUSH_AFTER_MS);
    await g.send("GET", LOOKUP);

    const activity = await g.activity();
    expect(["probe", "create", "update", "disable", "delete"].map((kind) => total(activity.days, kind))).toEqual([1, 1, 1, 1, 1]);
    expect(total(activity.days, "lookup")).toBe(2);
    expect(activity.lastWriteAt).toBe("2026-11-28T10:00:01.000Z");
  });

  it("keeps a refusal with its request id, scimType, the detail Entra showed, and the unknown manager's name, numbers and e-mails masked", async () => {
    const g = await gateway();
    const sent = "Ann Manger 447700900123 ann.lee@contoso.example";
    const refused = await g.send("POST", "/Users", entraUser("11234567890", { displayName: sent }));
    expect(refused.status, refused.text).toBe(400);
    const activity = await g.activity();
    expect(activity.refusals).toEqual([
      {
        at: "2026-11-28T10:00:00.000Z",
        requestId: expect.any(String),
        kind: "create",
        status: 400,
        scimType: "invalidValue",
        reason: "unknown_manager",
        detail: JSON.parse(refused.text).detail,
        sent: "Ann Manger 4477******23 <e-mail>",
      },
    ]);
    expect(activity.days).toEqual([{ day: "2026-11-28", kind: "create", outcome: "invalidValue", count: 1 }]);
    expect(activity.errorsLast24h).toBe(1);
    expect(JSON.stringify(activity)).not.toMatch(/447700900123|ann\.lee@/);
  });

  it("keeps a hostile displayName's terminal escapes and bidi overrides written out, never as the characters themselves", async () => {
    const g = await gateway();
    const sent = "Ann\u001b[2J\u001b]0;owned\u0007 Man\u202eager\u0000";
    const refused = await g.send("POST", "/Users", entraUser("11234567890", { displayName: sent }));
    expect(refused.status, refused.text).toBe(400);
    const [refusal] = (await g.activity()).refusals;
    expect(refusal?.sent).toBe("Ann\\u001b[2J\\u001b]0;owned\\u0007 Man\\u202eager\\u0000");
    expect(/[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u202e]/.test(`${refusal?.sent}${refusal?.detail}`)).toBe(false);
  });

  it("keeps only the newest 50 refusals of a tenant", async () => {
    const g = await gateway();
    for (let i = 0; i < 120; i++) {
      g.advance(1000);
      expect((await g.send("POST", "/Users", entraUser("0123 456 7890"))).status).toBe(400);
    }
    g.advance(FLUSH_AFTER_MS);
    await g.send("GET", LOOKUP);
    const activity = await g.activity();
    expect(activity.refusals).toHaveLength(50);
    expect(activity.refusals[0]?.at).toBe("2026-11-28T10:02:00.000Z");
    expect(total(activity.days, "create", "invalidValue")).toBe(120);
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM tenant_refusals WHERE tenant_id = ?").bind(g.tenantId).first<{ n: number }>();
    expect(stored?.n).toBe(50);
  });

  it("records a disabled tenant's 403s, and nothing for a token that names a tenant without proving it", async () => {
    const g = await gateway({ enabled: false });
    expect((await g.send("GET", PROBE)).status).toBe(403);
    const activity = await g.activity();
    expect(activity.days).toEqual([{ day: "2026-11-28", kind: "probe", outcome: "403", count: 1 }]);
    expect(activity.refusals[0]).toMatchObject({ status: 403, reason: "tenant_disabled" });

    // A made-up secret token naming a listed tenant: 401, and the tenant's record stays untouched.
    const victim = await gateway();
    const ctx = createExecutionContext();
    const forged = `tm1.${victim.tenantId}.${"A".repeat(43)}`;
    const res = await victim.app.request(`${BASE}${LOOKUP}`, { headers: { Authorization: `Bearer ${forged}` } }, env, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(401);
    expect((await victim.activity()).lastRequestAt).toBeNull();
  });

  it("keeps each tenant's activity its own", async () => {
    const a = await gateway();
    const b = await gateway();
    await a.send("POST", "/Users", entraUser("11234567890", { displayName: "Nobody" }));
    await b.send("GET", PROBE);
    expect((await a.activity()).days.map((d) => d.kind)).toEqual(["create"]);
    expect((await b.activity()).days.map((d) => d.kind)).toEqual(["probe"]);
    expect((await b.activity()).refusals).toEqual([]);
  });

  it("logs a write that failed and answers the request all the same", async () => {
    const lines: string[] = [];
    const app = createApp(testDeps({ log: linesInto(lines) }));
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const brokenBatches = new Proxy(env.DB, {
      get(target, property) {
        if (property === "batch") return async () => Promise.reject(new Error("D1_ERROR: Network connection lost."));
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const res = await sendThrough(app, await devToken(tenantId), "GET", PROBE, undefined, { ...env, DB: brokenBatches });
    expect(res.status).toBe(200);
    const warning = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "activity not recorded");
    expect(warning).toMatchObject({ level: "warn", requests: 1, tenants: 1 });
  });
});
