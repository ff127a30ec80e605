// Per-tenant rate limiting: over the limit, 429 with Retry-After and a SCIM body; counted per tenant.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { linesInto, testDeps } from "../support/deps.ts";
import { allowTenant, BASE, devToken, newTenantId } from "../support/gateway.ts";

describe("per-tenant rate limit", () => {
  it("answers 429 with Retry-After past the limit, for that tenant only", async () => {
    const lines: string[] = [];
    // A lease of one request, so every request reaches the binding (its limit here is 3 per 10 s).
    const app = createApp(testDeps({ log: linesInto(lines) }), { rateLimit: { requestsPerLease: 1 } });
    const limited = { ...env, TENANT_RATE_LIMIT_LEASES: env.TEST_LOW_RATE_LIMIT };
    const get = async (tenantId: string) => {
      const ctx = createExecutionContext();
      const res = await app.request(`${BASE}/Users`, { headers: { Authorization: `Bearer ${await devToken(tenantId)}` } }, limited, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    const busy = newTenantId();
    const quiet = newTenantId();
    await allowTenant(busy);
    await allowTenant(quiet);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await get(busy)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const refused = await get(busy);
    expect(refused.headers.get("retry-after")).toBe("10");
    expect(await refused.json()).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "429" });
    expect((await get(quiet)).status).toBe(200);
    expect(lines.filter((l) => JSON.parse(l).rateLimited === true)).toHaveLength(3);
  });

  it("lets each successful binding call through for a lease of requests, and remembers a refusal briefly", async () => {
    // The Worker's one clock (Deps): the token's checks read it too, so it starts at the token's time.
    let clock = Date.now();
    let calls = 0;
    // The real binding (3 calls per 10 s), counted.
    const counting = { limit: (options: RateLimitOptions) => (calls++, env.TEST_LOW_RATE_LIMIT.limit(options)) } satisfies RateLimit;
    const app = createApp(testDeps({ now: () => new Date(clock) }), { rateLimit: { requestsPerLease: 2 } });
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const token = await devToken(tenantId);
    const get = async () => {
      const ctx = createExecutionContext();
      const res = await app.request(`${BASE}/Users`, { headers: { Authorization: `Bearer ${token}` } }, { ...env, TENANT_RATE_LIMIT_LEASES: counting }, ctx);
      await waitOnExecutionContext(ctx);
      return res.status;
    };
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push(await get());
    // 3 calls of 2 requests each, then the refusal; the 8th is refused from memory, without a call.
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
    expect(calls).toBe(4);
    clock += 1_000;
    // A second later the isolate asks again; the binding's 10 s window still refuses.
    expect(await get()).toBe(429);
    expect(calls).toBe(5);
  });

  it("holds concurrent requests of one tenant to what the binding granted times the lease, with one call in flight at a time", async () => {
    let calls = 0;
    let granted = 0;
    let inFlight = 0;
    let mostInFlight = 0;
    const counting = {
      limit: async (options: RateLimitOptions) => {
        calls++;
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        try {
          const outcome = await env.TEST_LOW_RATE_LIMIT.limit(options);
          if (outcome.success) granted++;
          return outcome;
        } finally {
          inFlight--;
        }
      },
    } satisfies RateLimit;
    const app = createApp(testDeps(), { rateLimit: { requestsPerLease: 2 } });
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const token = await devToken(tenantId);
    const statuses = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const ctx = createExecutionContext();
        const res = await app.request(`${BASE}/Users?count=0`, { headers: { Authorization: `Bearer ${token}` } }, { ...env, TENANT_RATE_LIMIT_LEASES: counting }, ctx);
        await waitOnExecutionContext(ctx);
        return res.status;
      }),
    );
    // What the binding granted bounds what passed (3 per 10 s window; a run that straddles the window's
    // edge on a loaded machine may be granted a fourth), and the waiting requests never call it themselves.
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(granted * 2);
    expect(granted).toBeLessThanOrEqual(4);
    expect(mostInFlight).toBe(1);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
  });

  it("lets a tenant's requests through when the binding itself fails, says so in their log lines, and asks the binding again after one lease", async () => {
    const lines: string[] = [];
    let failing = true;
    let calls = 0;
    const flaky = {
      limit: async (options: RateLimitOptions) => {
        calls++;
        if (failing) throw new Error("rate limiter unavailable");
        return env.TENANT_RATE_LIMIT_LEASES.limit(options);
      },
    } satisfies RateLimit;
    const app = createApp(testDeps({ log: linesInto(lines) }), { rateLimit: { requestsPerLease: 2 } });
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const token = await devToken(tenantId);
    const get = async () => {
      const ctx = createExecutionContext();
      const res = await app.request(`${BASE}/Users?count=0`, { headers: { Authorization: `Bearer ${token}` } }, { ...env, TENANT_RATE_LIMIT_LEASES: flaky }, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    const during = await Promise.all([get(), get(), get()]);
    expect(during.map((r) => r.status), await during[0]?.text()).toEqual([200, 200, 200]);
    expect(calls).toBe(2); // one call per lease of two, never one per request
    failing = false;
    expect((await get()).status).toBe(200); // the lease bought while failing still had one request
    expect((await get()).status).toBe(200);
    expect(calls).toBe(3);
    const flags = lines.map((l) => JSON.parse(l) as { rateLimiterUnavailable?: boolean }).map((l) => l.rateLimiterUnavailable === true);
    expect(flags).toEqual([true, true, true, true, false]);
  });
});
