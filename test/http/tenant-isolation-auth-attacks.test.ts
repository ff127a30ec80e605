// Attacks on who may call, each through the Worker: issue 11 sections 4 (unauthenticated traffic), 5 (token
// rules) and 7 (the allow-list record evolves), and issue 12 section 3 (our outage is never a 401). Where a
// second tenant can be hurt, a victim tenant is served alongside the attacker and checked after the attack.
// docs/security.md lists each test here with its result.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { SignJWT, importJWK, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { testDeps } from "../support/deps.ts";
import { ENTRA_PROVISIONING_APP_ID, NON_GALLERY_AUDIENCE, entraIssuer } from "../../src/auth/entra-token.ts";
import { createKeySource, type KeySource } from "../../src/auth/signing-keys.ts";
import { UNLISTED_TENANT_CACHE_MS } from "../../src/auth/require-tenant.ts";
import { mintSecretToken, sha256Hex } from "../../src/tenants/secret-token.ts";
import devKey from "../../src/tools/dev/dev-signing-key.json";
import { DEV_KID, signDevToken } from "../../src/tools/dev/dev-token.ts";
import { tenantKey } from "../../src/tenants/record.ts";
import { CHANGE_QUEUE, forwardingPipeline } from "../support/forwarding.ts";
import { allowTenant, BASE, call, devToken, entraUser, newTenantId } from "../support/gateway.ts";
import { microsoft } from "../support/microsoft-keys.ts";
import { onTestShard } from "../support/shards.ts";

type App = ReturnType<typeof createApp>;
/** The request log line of thousands of refused requests is not what these tests look at. */
const quiet = () => {};

/** wrangler.toml's [env.production.vars] over the test bindings: Microsoft's keys only. */
const production = (): Env => ({ ...env, ...(JSON.parse(env.PRODUCTION_VARS) as Record<string, string>) });

async function send(app: App, bindings: Env, token: string, headers: Record<string, string> = {}) {
  const ctx = createExecutionContext();
  const res = await app.request(`${BASE}/Users`, { headers: { Authorization: `Bearer ${token}`, ...headers } }, bindings, ctx);
  await waitOnExecutionContext(ctx);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** The bindings with TENANTS wrapped so that every KV read of the allow-list is counted. */
function countingKv(bindings: Env = env) {
  const reads: string[] = [];
  const TENANTS = {
    get: (key: string, type: "text") => {
      reads.push(key);
      return bindings.TENANTS.get(key, type);
    },
  } as unknown as KVNamespace;
  return { bindings: { ...bindings, TENANTS }, reads };
}

const base64url = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** What an attacker sends for free: Entra's claims for any tenant id, under a signature nobody made. */
function forgedEntraToken(tenantId: string): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: "RS256", typ: "JWT", kid: "ms-key-1" };
  const claims = { aud: NON_GALLERY_AUDIENCE, iss: entraIssuer(tenantId), tid: tenantId, appid: ENTRA_PROVISIONING_APP_ID, iat: now, nbf: now, exp: now + 3600 };
  return `${base64url(header)}.${base64url(claims)}.${"A".repeat(342)}`;
}

/** A token signed with the development key (trusted by the local configuration), with claims overridden; `undefined` removes one. */
async function devTokenWith(tenantId: string, overrides: Record<string, unknown>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    aud: NON_GALLERY_AUDIENCE,
    iss: entraIssuer(tenantId),
    tid: tenantId,
    appid: ENTRA_PROVISIONING_APP_ID,
    iat: now,
    nbf: now,
    exp: now + 3600,
    ver: "1.0",
    ...overrides,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "JWT", kid: DEV_KID }).sign(await importJWK(devKey as JWK, "RS256"));
}

describe("unauthenticated traffic (issue 11 section 4)", () => {
  it("a flood of forged tokens naming 1,200 made-up tenants costs one KV read per id per 30 s and never evicts a listed tenant", async () => {
    const ms = await microsoft();
    let clock = Date.now();
    const app = createApp(testDeps({ log: quiet, fetch: ms.fetch, now: () => new Date(clock) }));
    const { bindings, reads } = countingKv();
    const victim = newTenantId();
    await allowTenant(victim);
    const victimToken = await devToken(victim);
    expect((await send(app, bindings, victimToken)).status).toBe(200);
    expect(reads).toEqual([tenantKey(victim)]);

    // More made-up ids than the listed tenants' cache holds (1,000): before the negative cache they pushed
    // the victim out of it.
    const forged = Array.from({ length: 1_200 }, () => forgedEntraToken(newTenantId()));
    for (const token of forged) {
      const res = await send(app, bindings, token);
      expect(res.status, res.text).toBe(401);
    }
    expect(reads).toHaveLength(1 + forged.length);

    const victimRes = await send(app, bindings, victimToken);
    expect(victimRes.status, victimRes.text).toBe(200);
    expect(reads, "the victim is still cached: no KV read").toHaveLength(1 + forged.length);

    // Within the 30 s TTL (well past the listed tenants' 5 s), the same ids cost nothing more.
    clock += 20_000;
    for (const token of forged) expect((await send(app, bindings, token)).status).toBe(401);
    expect(reads).toHaveLength(1 + forged.length);

    // After it, an id is read again: the TTL bounds how long a later approval is ignored.
    clock += 10_001;
    expect((await send(app, bindings, forged[0] as string)).status).toBe(401);
    expect(reads).toHaveLength(2 + forged.length);
    // Microsoft's common keys were fetched once for the whole flood (the forged signatures use their kid).
    expect(ms.fetched).toEqual(["https://login.microsoftonline.com/common/discovery/keys"]);
    expect((await send(app, bindings, victimToken)).status).toBe(200);
  }, 120_000);

  it("a flood of made-up secret tokens costs one KV read per id per 30 s, and the victim's own secret token still works", async () => {
    let clock = Date.now();
    const app = createApp(testDeps({ log: quiet, now: () => new Date(clock) }));
    const { bindings, reads } = countingKv();
    const victim = newTenantId();
    const victimToken = mintSecretToken(victim);
    await allowTenant(victim, { secretTokenSha256: await sha256Hex(victimToken) });
    expect((await send(app, bindings, victimToken)).status).toBe(200);

    const forged = Array.from({ length: 300 }, () => mintSecretToken(newTenantId()));
    for (const token of forged) expect((await send(app, bindings, token)).status).toBe(401);
    clock += 20_000;
    for (const token of forged) expect((await send(app, bindings, token)).status).toBe(401);
    expect(reads).toHaveLength(1 + forged.length);
    expect((await send(app, bindings, victimToken)).status).toBe(200);
  });

  it("lets a tenant refused while unlisted in once approved, 30 s after the refusal at most", async () => {
    let clock = Date.now();
    const app = createApp(testDeps({ log: quiet, now: () => new Date(clock) }));
    const tenantId = newTenantId();
    const token = await devToken(tenantId);
    expect((await send(app, env, token)).status).toBe(403);
    await allowTenant(tenantId);
    clock += UNLISTED_TENANT_CACHE_MS - 1;
    expect((await send(app, env, token)).status, "the refusal is remembered within the TTL").toBe(403);
    clock += 1;
    expect((await send(app, env, token)).status).toBe(200);
    expect(UNLISTED_TENANT_CACHE_MS).toBeLessThanOrEqual(60_000);
  });
});

describe("token rules (issue 11 section 5)", () => {
  it("refuses an Entra token for a tenant in secret-token mode (what another SCIM app of that tenant receives), while another tenant's Entra token works", async () => {
    const strict = newTenantId();
    const secret = mintSecretToken(strict);
    await allowTenant(strict, { authMode: "secret-token", secretTokenSha256: await sha256Hex(secret) });
    const other = newTenantId();
    await allowTenant(other);

    const replayed = await call("GET", "/Users", { token: await devToken(strict) });
    expect(replayed.status, replayed.text).toBe(401);
    expect((await call("GET", "/Users", { token: secret })).status).toBe(200);
    expect((await call("GET", "/Users", { token: await devToken(other) })).status).toBe(200);
  });

  it("refuses a token verified before its tenant switched to secret-token mode, once the new record is read", async () => {
    let clock = Date.now();
    const app = createApp(testDeps({ log: quiet, now: () => new Date(clock) }));
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const token = await devToken(tenantId);
    expect((await send(app, env, token)).status).toBe(200);
    const secret = mintSecretToken(tenantId);
    await allowTenant(tenantId, { authMode: "secret-token", secretTokenSha256: await sha256Hex(secret) });
    clock += 5_000; // the listed tenant's cached record expires
    expect((await send(app, env, token)).status).toBe(401);
    expect((await send(app, env, secret)).status).toBe(200);
  });

  it("refuses the secret token of a tenant in entra-token mode, and accepts both kinds for a record without a mode, as before", async () => {
    const entraOnly = newTenantId();
    const entraOnlySecret = mintSecretToken(entraOnly);
    await allowTenant(entraOnly, { authMode: "entra-token", secretTokenSha256: await sha256Hex(entraOnlySecret) });
    expect((await call("GET", "/Users", { token: entraOnlySecret })).status).toBe(401);
    expect((await call("GET", "/Users", { token: await devToken(entraOnly) })).status).toBe(200);

    const legacy = newTenantId();
    const legacySecret = mintSecretToken(legacy);
    await allowTenant(legacy, { secretTokenSha256: await sha256Hex(legacySecret) });
    expect((await call("GET", "/Users", { token: legacySecret })).status).toBe(200);
    expect((await call("GET", "/Users", { token: await devToken(legacy) })).status).toBe(200);
  });

  it("refuses a token without appid, without iat, or living longer than 24 h; accepts the 29,100 s lifetime a real token had", async () => {
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const now = Math.floor(Date.now() / 1000);
    for (const [what, overrides] of [
      ["no appid", { appid: undefined }],
      ["another client's appid", { appid: "11111111-2222-4333-8444-555555555555" }],
      ["no iat", { iat: undefined }],
      ["a lifetime of 24 h + 1 s", { iat: now - 60, exp: now - 60 + 86_401 }],
      ["a lifetime of a year", { iat: now - 60, exp: now + 365 * 86_400 }],
    ] as const) {
      const res = await call("GET", "/Users", { token: await devTokenWith(tenantId, overrides) });
      expect(res.status, `${what}: ${res.text}`).toBe(401);
    }
    const genuine = await call("GET", "/Users", { token: await devTokenWith(tenantId, { iat: now - 60, exp: now - 60 + 29_100 }) });
    expect(genuine.status, genuine.text).toBe(200);
  });

  it("never recognises a verified token from its cache past the token's exp", async () => {
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
    const app = createApp(testDeps({ log: quiet, now: () => new Date(clock) }), { auth: { keys } });
    const token = await signDevToken({ jwk: ms.privateJwk, tenantId, now: () => clock, expiresInSeconds: 60 });
    const expiry = (Math.floor(clock / 1000) + 60) * 1000; // exp, in milliseconds
    expect((await send(app, env, token)).status).toBe(200);
    clock = expiry - 1;
    expect((await send(app, env, token)).status).toBe(200);
    expect(verifications, "recognised from the cache before exp").toBe(1);
    clock = expiry;
    // At exp the cache has let go; a fresh verification still accepts it within the 5 min clock skew.
    expect((await send(app, env, token)).status).toBe(200);
    expect(verifications).toBe(2);
    clock = expiry + 300_000;
    expect((await send(app, env, token)).status).toBe(401);
  });

  it("generates the request id itself: a client's X-Request-Id is neither echoed nor logged as ours", async () => {
    const lines: Record<string, unknown>[] = [];
    const app = createApp(testDeps({ log: (fields) => void lines.push(fields) }));
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const token = await devToken(tenantId);
    const chosen = "attacker-chosen-id-0001";
    const first = await send(app, env, token, { "X-Request-Id": chosen });
    const second = await send(app, env, token, { "X-Request-Id": chosen });
    const ids = [first.headers.get("x-request-id"), second.headers.get("x-request-id")];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(ids[0]).not.toBe(ids[1]);
    expect(lines.map((l) => l.requestId)).toEqual(ids);
    expect(JSON.stringify(lines)).not.toContain(chosen);
  });

  it("ignores development keys in a staging or production Worker, even when TRUSTED_DEV_JWKS holds them", async () => {
    const ms = await microsoft();
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const other = newTenantId();
    await allowTenant(other);
    const app = createApp(testDeps({ log: quiet, fetch: ms.fetch }));
    const forgedWithDevKey = await devToken(tenantId);
    for (const environment of ["staging", "production"]) {
      // A deploy that kept the local [vars]' development key: anyone can sign with it (it is in the repository).
      const misconfigured = { ...production(), ENVIRONMENT: environment, TRUSTED_DEV_JWKS: env.TRUSTED_DEV_JWKS };
      const res = await send(app, misconfigured, forgedWithDevKey);
      expect(res.status, `${environment}: ${res.text}`).toBe(401);
      const genuine = await send(app, misconfigured, await signDevToken({ jwk: ms.privateJwk, tenantId: other }));
      expect(genuine.status, genuine.text).toBe(200);
    }
    expect((await send(app, env, forgedWithDevKey)).status, "local development trusts it").toBe(200);
  });

  it("keeps change events queued while CORE_URL is http in production, and the delivery and cron log lines say why", async () => {
    const pipeline = forwardingPipeline();
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const created = await pipeline.scim(await devToken(tenantId), "POST", "/Users", entraUser("11234567890"));
    expect(created.status, created.text).toBe(201);
    const plainHttp = { ...pipeline.env, ENVIRONMENT: "production", CORE_URL: "http://core.telemessage.example" };

    const messages = pipeline.queue.take(10);
    const result = await pipeline.invoke(CHANGE_QUEUE, messages, plainHttp);
    expect(result.retryMessages.map((r) => r.msgId)).toEqual(messages.map((m) => m.id));
    expect(pipeline.core.events(), "nothing was sent over http").toEqual([]);
    expect(pipeline.logs.find((l) => l.msg === "delivery")).toMatchObject({ outcome: "retry", reason: "CORE_URL must be https: outside local development" });

    const ctx = createExecutionContext();
    await pipeline.worker.scheduled(createScheduledController({ scheduledTime: pipeline.clock.now(), cron: "* * * * *" }), plainHttp, ctx);
    await waitOnExecutionContext(ctx);
    expect(pipeline.logs.find((l) => l.msg === "outbox")).toMatchObject({ level: "warn", coreUrlProblem: "CORE_URL must be https: outside local development" });

    const secure = { ...plainHttp, CORE_URL: "https://core.telemessage.example" };
    expect((await pipeline.invoke(CHANGE_QUEUE, messages, secure)).retryMessages).toEqual([]);
    expect(pipeline.core.events().map((e) => e.outcome)).toEqual(["applied"]);
  });
});

describe("the allow-list record evolves (issue 11 section 7)", () => {
  it("authorises a tenant whose record carries fields this Worker does not know, and serves a second tenant alike", async () => {
    const newer = newTenantId();
    // As a newer CLI might write it, or as it stays after the Worker is rolled back.
    await env.TENANTS.put(
      tenantKey(newer),
      JSON.stringify({ accountId: "TM-2002", name: "Fabrikam", managers: ["Ann Manager"], enabled: true, ...onTestShard(), residency: 7, futureSettings: { region: "eu" } }),
    );
    const other = newTenantId();
    await allowTenant(other);
    const created = await call("POST", "/Users", { token: await devToken(newer), body: entraUser("441234567890") });
    expect(created.status, created.text).toBe(201);
    expect((await call("GET", "/Users", { token: await devToken(other) })).status).toBe(200);
  });

  it("still refuses a record whose known fields are wrong", async () => {
    const tenantId = newTenantId();
    await env.TENANTS.put(tenantKey(tenantId), JSON.stringify({ accountId: "TM-1", name: "X", enabled: "yes", residency: 7 }));
    expect((await call("GET", "/Users", { token: await devToken(tenantId) })).status).toBe(403);
  });
});

describe("our outage is never a 401 (issue 12 section 3)", () => {
  /** Microsoft's key endpoint, which the test can take down; tokens signed at the test's clock. */
  async function outageWorld() {
    const ms = await microsoft("ms-key-1");
    let up = true;
    let clock = Date.now();
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (!up) throw new TypeError("fetch failed: network unreachable");
      return ms.fetch(input, init);
    }) as typeof globalThis.fetch;
    const app = createApp(testDeps({ log: quiet, fetch, now: () => new Date(clock) }));
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    return {
      ms,
      app,
      tenantId,
      down: () => void (up = false),
      advance: (ms: number) => void (clock += ms),
      token: (jwk: JWK = ms.privateJwk, tenant = tenantId) => signDevToken({ jwk, tenantId: tenant, now: () => clock }),
      get: (token: string) => send(app, production(), token),
    };
  }

  const expect503 = (res: { status: number; headers: Headers; text: string }) => {
    expect(res.status, res.text).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(res.headers.get("www-authenticate")).toBeNull();
  };

  it("answers 503 with Retry-After on a cold isolate that cannot fetch the keys, while a secret-token tenant is still served", async () => {
    const w = await outageWorld();
    w.down();
    expect503(await w.get(await w.token()));
    const bystander = newTenantId();
    const secret = mintSecretToken(bystander);
    await allowTenant(bystander, { secretTokenSha256: await sha256Hex(secret) });
    expect((await w.get(secret)).status).toBe(200);
  });

  it("answers 503 for a kid it has not seen when the refresh that kid causes fails", async () => {
    const w = await outageWorld();
    expect((await w.get(await w.token())).status).toBe(200);
    w.down();
    w.advance(5 * 60_000); // past the refresh cooldown, so the unknown kid does cause a refresh
    const rotated = await microsoft("ms-key-2");
    expect503(await w.get(await w.token(rotated.privateJwk)));
  });

  it("keeps verifying a known kid against the last good keys when a refresh fails, past their 24 h TTL", async () => {
    const w = await outageWorld();
    expect((await w.get(await w.token())).status).toBe(200);
    w.down();
    w.advance(25 * 60 * 60_000);
    const res = await w.get(await w.token());
    expect(res.status, res.text).toBe(200);
  });

  it("answers 401 for a kid the healthy endpoint does not publish", async () => {
    const w = await outageWorld();
    expect((await w.get(await w.token())).status).toBe(200);
    w.advance(5 * 60_000);
    const stranger = await microsoft("not-published");
    const res = await w.get(await w.token(stranger.privateJwk));
    expect(res.status, res.text).toBe(401);
    expect(w.ms.fetched).toHaveLength(2);
  });

  it("answers 503, not 401, to an unlisted tenant's token when Microsoft's common keys cannot be fetched", async () => {
    const w = await outageWorld();
    w.down();
    expect503(await w.get(await w.token(w.ms.privateJwk, newTenantId())));
  });

  it("answers 503 with Retry-After when the allow-list cannot be read", async () => {
    const w = await outageWorld();
    const unreachable = { get: () => Promise.reject(new Error("KV unreachable")) } as unknown as KVNamespace;
    expect503(await send(w.app, { ...production(), TENANTS: unreachable }, await w.token()));
  });
});
