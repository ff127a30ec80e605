// The production path: a token signed by "Microsoft" (a key the Worker does not trust by configuration),
// verified against the keys fetched for the token's tenant. The fetch is injected; nothing leaves the machine.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { testDeps } from "../support/deps.ts";
import { UNLISTED_TENANT_CACHE_MS } from "../../src/auth/require-tenant.ts";
import { microsoft } from "../support/microsoft-keys.ts";
import { createKeySource, type KeySource } from "../../src/auth/signing-keys.ts";
import { signDevToken } from "../../src/tools/dev/dev-token.ts";
import { allowTenant, BASE, newTenantId } from "../support/gateway.ts";

const production = () => ({ ...env, ...(JSON.parse(env.PRODUCTION_VARS) as Record<string, string>) });

async function get(app: ReturnType<typeof createApp>, token: string) {
  const ctx = createExecutionContext();
  const res = await app.request(`${BASE}/Users`, { headers: { Authorization: `Bearer ${token}` } }, production(), ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("Entra-signed tokens under the production configuration", () => {
  it("accepts a token signed with the tenant's published key, fetching the keys once", async () => {
    const ms = await microsoft();
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const app = createApp(testDeps({ fetch: ms.fetch }));
    const token = await signDevToken({ jwk: ms.privateJwk, tenantId });
    expect((await get(app, token)).status).toBe(200);
    expect((await get(app, token)).status).toBe(200);
    expect(ms.fetched).toEqual([`https://login.microsoftonline.com/${tenantId}/discovery/keys`]);
  });

  it("refuses a token whose key the tenant does not publish", async () => {
    const ms = await microsoft();
    const forger = await microsoft();
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const app = createApp(testDeps({ fetch: ms.fetch }));
    const forged = await signDevToken({ jwk: forger.privateJwk, tenantId });
    expect((await get(app, forged)).status).toBe(401);
  });

  it("does not let a verified, cached token vouch for one that shares its signature or its claims", async () => {
    const ms = await microsoft();
    const forger = await microsoft();
    const tenantId = newTenantId();
    const other = newTenantId();
    await allowTenant(tenantId);
    await allowTenant(other);
    const app = createApp(testDeps({ fetch: ms.fetch }));
    const token = await signDevToken({ jwk: ms.privateJwk, tenantId });
    expect((await get(app, token)).status).toBe(200); // now cached as verified
    const [header, payload, signature] = token.split(".");
    // The same header and claims under another key's signature, and the cached signature under other claims.
    const [, , forgedSignature] = (await signDevToken({ jwk: forger.privateJwk, tenantId })).split(".");
    const [, otherPayload] = (await signDevToken({ jwk: ms.privateJwk, tenantId: other })).split(".");
    expect((await get(app, `${header}.${payload}.${forgedSignature}`)).status).toBe(401);
    expect((await get(app, `${header}.${otherPayload}.${signature}`)).status).toBe(401);
    expect((await get(app, token)).status).toBe(200);
  });
});

describe("tenants that are not on the allow-list", () => {
  it("answer a genuine token with 403 'not approved', checked against Microsoft's common keys, never the tenant's", async () => {
    const ms = await microsoft();
    const app = createApp(testDeps({ fetch: ms.fetch }));
    const res = await get(app, await signDevToken({ jwk: ms.privateJwk, tenantId: newTenantId() }));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/not approved/);
    expect(ms.fetched).toEqual(["https://login.microsoftonline.com/common/discovery/keys"]);
  });

  it("cost one key fetch in all for a flood of forged tokens, each naming another tenant", async () => {
    const ms = await microsoft();
    const forger = await microsoft("forged-kid");
    const app = createApp(testDeps({ fetch: ms.fetch }));
    for (let i = 0; i < 20; i++) {
      const forged = await signDevToken({ jwk: i % 2 ? forger.privateJwk : { ...forger.privateJwk, kid: "ms-key-1" }, tenantId: newTenantId() });
      expect((await get(app, forged)).status).toBe(401);
    }
    expect(ms.fetched).toEqual(["https://login.microsoftonline.com/common/discovery/keys"]);
  });

  it("are asked for their own keys once listed", async () => {
    const ms = await microsoft();
    const tenantId = newTenantId();
    let clock = Date.now();
    const app = createApp(testDeps({ fetch: ms.fetch, now: () => new Date(clock) }));
    const token = await signDevToken({ jwk: ms.privateJwk, tenantId });
    expect((await get(app, token)).status).toBe(403);
    await allowTenant(tenantId);
    // The refusal is remembered for UNLISTED_TENANT_CACHE_MS (30 s), then the new record is read.
    clock += UNLISTED_TENANT_CACHE_MS;
    expect((await get(app, token)).status).toBe(200);
    // The token was genuine when first seen, so it was kept as verified: no second fetch was needed.
    expect(ms.fetched).toEqual(["https://login.microsoftonline.com/common/discovery/keys"]);
    const fresh = await signDevToken({ jwk: ms.privateJwk, tenantId, expiresInSeconds: 600 });
    expect((await get(app, fresh)).status).toBe(200);
    expect(ms.fetched.at(-1)).toBe(`https://login.microsoftonline.com/${tenantId}/discovery/keys`);
  });
});

describe("verified-token cache", () => {
  it("verifies a token once and recognises it afterwards, but not after it expires", async () => {
    const ms = await microsoft();
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    let clock = Date.now();
    const microsoftKeys = createKeySource({ fetch: ms.fetch, now: () => clock });
    let verifications = 0;
    const keys: KeySource = {
      getKey: (tenant, kid) => {
        verifications++;
        return microsoftKeys.getKey(tenant, kid);
      },
    };
    const app = createApp(testDeps({ now: () => new Date(clock) }), { auth: { keys } });
    const token = await signDevToken({ jwk: ms.privateJwk, tenantId, now: () => clock, expiresInSeconds: 60 });
    expect((await get(app, token)).status).toBe(200);
    expect((await get(app, token)).status).toBe(200);
    expect(verifications).toBe(1);
    clock += 61_000 + 5 * 60_000;
    expect((await get(app, token)).status).toBe(401);
    // The expired token is refused on its claims alone, before any key is looked up.
    expect(verifications).toBe(1);
  });
});
