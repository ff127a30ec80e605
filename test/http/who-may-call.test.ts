// Section 6 of the endpoint issue: the token proves the tenant; the KV allow-list decides.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { testDeps } from "../support/deps.ts";
import { mintSecretToken, sha256Hex } from "../../src/tenants/secret-token.ts";
import { allowTenant, BASE, call, devToken, newTenantId } from "../support/gateway.ts";
import { microsoft } from "../support/microsoft-keys.ts";

const expect401 = (res: { status: number; headers: Headers; body: any; text: string }) => {
  expect(res.status, res.text).toBe(401);
  expect(res.headers.get("www-authenticate") ?? "", res.text).toMatch(/^Bearer/);
  expect(res.body.detail).toMatch(/token/);
};

describe("who may call /Users and /Groups", () => {
  it("refuses a request without a token with 401 and WWW-Authenticate: Bearer", async () => {
    expect401(await call("GET", "/Users"));
    expect401(await call("GET", "/Groups"));
  });

  it("refuses a malformed token and a non-bearer scheme with the same generic 401", async () => {
    const a = await call("GET", "/Users", { headers: { Authorization: "Bearer not.a.jwt" } });
    const b = await call("GET", "/Users", { headers: { Authorization: "Basic dXNlcjpwYXNz" } });
    expect401(a);
    expect401(b);
    expect(a.body.detail).toBe(b.body.detail);
  });

  it("accepts the bearer scheme in any case", async () => {
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const res = await call("GET", "/Users", { headers: { Authorization: `bearer ${await devToken(tenantId)}` } });
    expect(res.status, res.text).toBe(200);
  });

  it("refuses an expired token with 401", async () => {
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    expect401(await call("GET", "/Users", { token: await devToken(tenantId, { expiresInSeconds: -3600 }) }));
  });

  it("refuses a token for another audience with 401", async () => {
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    expect401(await call("GET", "/Users", { token: await devToken(tenantId, { audience: "api://someone-else" }) }));
  });

  it("answers a valid token of a tenant that is not on the allow-list with 403 naming the fix", async () => {
    const res = await call("GET", "/Users", { token: await devToken(newTenantId()) });
    expect(res.status, res.text).toBe(403);
    expect(res.body.detail).toMatch(/tenant ID/);
    expect(res.body.detail).toMatch(/account manager/);
  });

  it("answers a disabled tenant with 403", async () => {
    const tenantId = newTenantId();
    await allowTenant(tenantId, { enabled: false });
    expect((await call("GET", "/Users", { token: await devToken(tenantId) })).status).toBe(403);
  });

  it("blocks a removed tenant once its cached allow-list answer expires, a few seconds later", async () => {
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const token = await devToken(tenantId);
    let clock = Date.now();
    const app = createApp(testDeps({ now: () => new Date(clock) }), { auth: { tenantCacheMs: 5_000 } });
    const get = async () => {
      const ctx = createExecutionContext();
      const res = await app.request(`${BASE}/Users`, { headers: { Authorization: `Bearer ${token}` } }, env, ctx);
      await waitOnExecutionContext(ctx);
      return res.status;
    };
    expect(await get()).toBe(200);
    await env.TENANTS.delete(`tenant:${tenantId}`);
    clock += 4_000;
    expect(await get()).toBe(200);
    clock += 1_001;
    expect(await get()).toBe(403);
  });

  it("serves discovery documents without a token", async () => {
    for (const path of ["/ServiceProviderConfig", "/ResourceTypes", "/Schemas"]) {
      const res = await call("GET", path);
      expect(res.status, `${path}: ${res.text}`).toBe(200);
    }
  });
});

describe("secret-token mode", () => {
  it("accepts the tenant's secret token, whose hash alone is stored", async () => {
    const tenantId = newTenantId();
    const token = mintSecretToken(tenantId);
    await allowTenant(tenantId, { secretTokenSha256: await sha256Hex(token) });
    const res = await call("GET", "/Users", { token });
    expect(res.status, res.text).toBe(200);
  });

  it("refuses a wrong token, a prefix of the right one, and the stored hash itself", async () => {
    const tenantId = newTenantId();
    const token = mintSecretToken(tenantId);
    const hash = await sha256Hex(token);
    await allowTenant(tenantId, { secretTokenSha256: hash });
    expect401(await call("GET", "/Users", { token: mintSecretToken(tenantId) }));
    expect401(await call("GET", "/Users", { token: token.slice(0, -1) }));
    expect401(await call("GET", "/Users", { token: hash }));
  });

  it("refuses a secret token for a tenant that has none issued", async () => {
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    expect401(await call("GET", "/Users", { token: mintSecretToken(tenantId) }));
  });
});

describe("the development signing key", () => {
  it("is trusted by the local configuration", async () => {
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    expect((await call("GET", "/Users", { token: await devToken(tenantId) })).status).toBe(200);
  });

  it("is not trusted by the production configuration in wrangler.toml", async () => {
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const production = { ...env, ...(JSON.parse(env.PRODUCTION_VARS) as Record<string, string>) };
    expect(production.TRUSTED_DEV_JWKS).toBe("");
    // Microsoft's key endpoint is unreachable here, so the injected fetch publishes a key set of its own:
    // the dev key's kid is in no Microsoft key set, so the token is wrong (401), not unverifiable (503).
    const app = createApp(testDeps({ fetch: (await microsoft()).fetch }));
    const ctx = createExecutionContext();
    const res = await app.request(
      `${BASE}/Users`,
      { headers: { Authorization: `Bearer ${await devToken(tenantId)}` } },
      production,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(401);
  });
});

describe("a broken allow-list entry", () => {
  it("locks the tenant out with 403 and logs why", async () => {
    const tenantId = newTenantId();
    await env.TENANTS.put(`tenant:${tenantId}`, "{not json");
    const res = await call("GET", "/Users", { token: await devToken(tenantId) });
    expect(res.status, res.text).toBe(403);
    await env.TENANTS.put(`tenant:${tenantId}`, JSON.stringify({ accountId: "A", enabled: "yes" }));
    expect((await call("GET", "/Users", { token: await devToken(tenantId) })).status).toBe(403);
  });
});
