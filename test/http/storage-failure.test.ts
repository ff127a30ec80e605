// A D1 failure is a 503 with Retry-After (Entra retries it), never a 500 with the driver's message, and a
// failed batch leaves no user and no event behind.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { linesInto, testDeps } from "../support/deps.ts";
import { allowTenant, BASE, devToken, entraUser, newTenantId } from "../support/gateway.ts";
import { testD1, withTestD1 } from "../support/shards.ts";

/** The real D1 binding, except that batches fail the way D1 does when it is overloaded. */
const d1FailingBatches = (db: D1Database): D1Database =>
  new Proxy(db, {
    get(target, property, receiver) {
      if (property === "batch") {
        return async () => {
          throw new Error("D1_ERROR: Network connection lost. bound 11234567890");
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });

describe("storage failures", () => {
  it("answers 503 with Retry-After and a generic detail, and writes nothing", async () => {
    const lines: string[] = [];
    const app = createApp(testDeps({ log: linesInto(lines) }));
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const ctx = createExecutionContext();
    const res = await app.request(
      `${BASE}/Users`,
      {
        method: "POST",
        headers: { Authorization: `Bearer ${await devToken(tenantId)}`, "Content-Type": "application/scim+json" },
        body: JSON.stringify(entraUser("11234567890")),
      },
      withTestD1(d1FailingBatches(testD1)),
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const text = await res.text();
    expect(res.status, text).toBe(503);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(text).not.toContain("11234567890");
    expect(text).not.toContain("D1_ERROR");
    expect(lines.join("\n")).not.toContain("11234567890");
    const rows = await testD1.prepare("SELECT count(*) AS n FROM users WHERE tenant_id = ?").bind(tenantId).first<{ n: number }>();
    const events = await testD1.prepare("SELECT count(*) AS n FROM change_events WHERE tenant_id = ?").bind(tenantId).first<{ n: number }>();
    expect([rows?.n, events?.n]).toEqual([0, 0]);
  });
});

describe("read failures", () => {
  it("answers a failing lookup with 503, not 500", async () => {
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const broken = new Proxy(testD1, {
      get(target, property) {
        if (property === "prepare") {
          return () => {
            throw new Error("D1_ERROR: internal error");
          };
        }
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const res = await createApp(testDeps()).request(
      `${BASE}/Users?filter=userName+eq+%2211234567890%22`,
      { headers: { Authorization: `Bearer ${await devToken(tenantId)}` } },
      withTestD1(broken),
      createExecutionContext(),
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: "503" });
  });
});
