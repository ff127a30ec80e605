// The key cache as the Worker uses it: one instance, many requests. Microsoft's endpoint is a counting fake
// and the clock is a variable, so "at most one fetch" and "after the cooldown" are exact.
import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import type { JWK } from "jose";
import devSigningKey from "../../src/tools/dev/dev-signing-key.json" with { type: "json" };
import { createKeySource } from "../../src/auth/signing-keys.ts";
import type { KeySource, KeySourceOptions } from "../../src/auth/signing-keys.ts";
import { ENTRA_PROVISIONING_APP_ID, verifyEntraToken } from "../../src/auth/entra-token.ts";
import { DEV_KID, signDevToken } from "../../src/tools/dev/dev-token.ts";

const START = Date.UTC(2026, 10, 20, 12, 0, 0);
const MINUTE = 60_000;
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OTHER_TENANT = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";
const AUDIENCE = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621";

interface TestKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

let current: TestKey;
let next: TestKey;

async function makeKey(kid: string): Promise<TestKey> {
  const pair = await generateKeyPair("RS256", { extractable: true });
  return { kid, privateKey: pair.privateKey, publicJwk: { ...(await exportJWK(pair.publicKey)), kid, use: "sig" } };
}

beforeAll(async () => {
  current = await makeKey("ms-current");
  next = await makeKey("ms-next");
});

/** A world with a settable clock and a Microsoft keys endpoint that counts calls and can be held open. */
function world(options: Partial<KeySourceOptions> = {}) {
  const state = {
    now: START,
    published: [] as JWK[],
    respond: undefined as (() => Response | Promise<Response>) | undefined,
    urls: [] as string[],
    gate: undefined as Promise<void> | undefined,
  };
  const fetch = (async (input: RequestInfo | URL) => {
    state.urls.push(String(input));
    if (state.gate) await state.gate;
    return state.respond ? state.respond() : Response.json({ keys: state.published });
  }) as typeof globalThis.fetch;
  const keys = createKeySource({ fetch, now: () => state.now, ...options });
  const verify = (token: string, source: KeySource = keys) =>
    verifyEntraToken(token, { audiences: [AUDIENCE], keys: source, now: () => state.now });
  /** Holds every fetch until the returned function is called. */
  const hold = () => {
    let release = () => {};
    state.gate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      state.gate = undefined;
      release();
    };
  };
  return { state, keys, verify, hold, fetches: () => state.urls.length };
}

function tokenFor(key: TestKey, tenant = TENANT, now = START): Promise<string> {
  const seconds = Math.floor(now / 1000);
  return new SignJWT({
    aud: AUDIENCE,
    iss: `https://sts.windows.net/${tenant}/`,
    tid: tenant,
    appid: ENTRA_PROVISIONING_APP_ID,
    iat: seconds,
    nbf: seconds,
    exp: seconds + 3600,
  })
    .setProtectedHeader({ alg: "RS256", kid: key.kid })
    .sign(key.privateKey);
}

// Lets every pending promise run, so all concurrent verifications have reached the fetch or its queue.
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** TRUSTED_DEV_JWKS as wrangler.toml's top-level [vars] gives it to the Worker. */
const trustedDevJwks = () => JSON.parse(env.TRUSTED_DEV_JWKS) as { keys: JWK[] };

describe("Microsoft keys", () => {
  it("fetches a tenant's keys from its discovery endpoint and verifies with them", async () => {
    const w = world();
    w.state.published = [current.publicJwk];
    expect((await w.verify(await tokenFor(current))).ok).toBe(true);
    expect(w.state.urls).toEqual([`https://login.microsoftonline.com/${TENANT}/discovery/keys`]);
  });

  it("serves a second verification from the cache with zero fetches", async () => {
    const w = world();
    w.state.published = [current.publicJwk];
    await w.verify(await tokenFor(current));
    const before = w.fetches();
    expect((await w.verify(await tokenFor(current))).ok).toBe(true);
    expect(w.fetches() - before).toBe(0);
  });

  it("keeps each tenant's keys apart, fetching once per tenant", async () => {
    const w = world();
    w.state.published = [current.publicJwk];
    expect((await w.verify(await tokenFor(current, TENANT))).ok).toBe(true);
    expect((await w.verify(await tokenFor(current, OTHER_TENANT))).ok).toBe(true);
    expect((await w.verify(await tokenFor(current, OTHER_TENANT))).ok).toBe(true);
    expect(w.state.urls).toEqual([
      `https://login.microsoftonline.com/${TENANT}/discovery/keys`,
      `https://login.microsoftonline.com/${OTHER_TENANT}/discovery/keys`,
    ]);
  });

  it("refreshes once for an unknown kid, then fails without fetching again within the cooldown", async () => {
    const w = world();
    w.state.published = [current.publicJwk];
    await w.verify(await tokenFor(current));
    expect(w.fetches()).toBe(1);

    w.state.now += 5 * MINUTE;
    expect(await w.verify(await tokenFor(next))).toEqual({ ok: false, reason: "unknown_kid" });
    expect(w.fetches()).toBe(2);
    w.state.now += 4 * MINUTE;
    expect(await w.verify(await tokenFor(next))).toEqual({ ok: false, reason: "unknown_kid" });
    expect(await w.verify(await tokenFor(await makeKey("made-up")))).toEqual({ ok: false, reason: "unknown_kid" });
    expect(w.fetches()).toBe(2);
  });

  it("counts the first load against the cooldown, so an unknown kid right after it causes no fetch", async () => {
    const w = world();
    w.state.published = [current.publicJwk];
    await w.verify(await tokenFor(current));
    expect(await w.verify(await tokenFor(next))).toEqual({ ok: false, reason: "unknown_kid" });
    expect(w.fetches()).toBe(1);
  });

  it("picks up a rotated key on the refresh an unknown kid causes", async () => {
    const w = world();
    w.state.published = [current.publicJwk];
    await w.verify(await tokenFor(current));
    w.state.published = [current.publicJwk, next.publicJwk];
    w.state.now += 5 * MINUTE;
    expect((await w.verify(await tokenFor(next))).ok).toBe(true);
    expect(w.fetches()).toBe(2);
  });

  it("refreshes for an unknown kid again once the cooldown has passed", async () => {
    const w = world();
    w.state.published = [current.publicJwk];
    await w.verify(await tokenFor(next));
    w.state.published = [current.publicJwk, next.publicJwk];
    w.state.now += 5 * MINUTE;
    expect((await w.verify(await tokenFor(next, TENANT, w.state.now))).ok).toBe(true);
    expect(w.fetches()).toBe(2);
  });

  it("makes at most one fetch for 50 concurrent verifications with an unknown kid", async () => {
    const w = world();
    w.state.published = [current.publicJwk];
    await w.verify(await tokenFor(current));
    const token = await tokenFor(next);
    w.state.now += 5 * MINUTE;

    const release = w.hold();
    const results = Array.from({ length: 50 }, () => w.verify(token));
    await settle();
    expect(w.fetches()).toBe(2); // all 50 are now waiting on the one refresh
    release();

    for (const result of await Promise.all(results)) expect(result).toEqual({ ok: false, reason: "unknown_kid" });
    expect(w.fetches()).toBe(2);
  });

  it("makes one fetch for 50 concurrent first verifications of a tenant, and all of them succeed", async () => {
    const w = world();
    w.state.published = [current.publicJwk];
    const token = await tokenFor(current);
    const release = w.hold();
    const results = Array.from({ length: 50 }, () => w.verify(token));
    await settle();
    release();
    for (const result of await Promise.all(results)) expect(result.ok).toBe(true);
    expect(w.fetches()).toBe(1);
  });

  it("starts a new fetch when the one in flight has hung for more than 30 seconds", async () => {
    const w = world();
    w.state.published = [current.publicJwk];
    const token = await tokenFor(current);
    const releaseHung = w.hold();
    const hung = w.verify(token);
    await settle();
    w.state.gate = undefined; // later fetches answer at once; the first stays stuck

    w.state.now += 31_000;
    expect((await w.verify(token)).ok).toBe(true);
    expect(w.fetches()).toBe(2);
    w.state.respond = () => new Response("too late", { status: 500 });
    releaseHung();
    await hung;
    // The late failure did not undo the newer success: an unknown kid is unknown, not "unavailable".
    expect(await w.verify(await tokenFor(next))).toEqual({ ok: false, reason: "unknown_kid" });
    expect(w.fetches()).toBe(2);
  });

  it("refetches after the TTL, and keeps serving the old keys when that refresh fails", async () => {
    const w = world({ ttlMs: 60 * MINUTE });
    w.state.published = [current.publicJwk];
    await w.verify(await tokenFor(current));

    w.state.now += 61 * MINUTE;
    w.state.respond = () => new Response("bad gateway", { status: 502 });
    expect((await w.verify(await tokenFor(current, TENANT, w.state.now))).ok).toBe(true);
    expect(w.fetches()).toBe(2);
  });

  it("drops the least recently used tenant beyond maxTenants", async () => {
    const w = world({ maxTenants: 1 });
    w.state.published = [current.publicJwk];
    await w.verify(await tokenFor(current, TENANT));
    await w.verify(await tokenFor(current, OTHER_TENANT));
    await w.verify(await tokenFor(current, TENANT));
    expect(w.fetches()).toBe(3);
  });

  it("answers undefined for a tenant id that is not a GUID, without fetching", async () => {
    const w = world();
    expect(await w.keys.getKey("../../evil", "ms-current")).toBeUndefined();
    expect(w.fetches()).toBe(0);
  });
});

describe("Microsoft keys unavailable", () => {
  it.each([
    ["the fetch throws", () => Promise.reject(new TypeError("network down"))],
    ["the endpoint answers 500", () => new Response("oops", { status: 500 })],
    ["the body is not JSON", () => new Response("<html>captive portal</html>", { status: 200 })],
    ["the JWKS has no usable key", () => Response.json({ keys: [{ kty: "EC", kid: "x", crv: "P-256" }] })],
  ])("reports keys_unavailable when %s and nothing is cached", async (_, respond) => {
    const w = world();
    w.state.respond = respond;
    expect(await w.verify(await tokenFor(current))).toEqual({ ok: false, reason: "keys_unavailable" });
    expect(w.fetches()).toBe(1);
  });

  it("does not retry a failed fetch within the cooldown, and retries after it", async () => {
    const w = world();
    w.state.respond = () => new Response("oops", { status: 500 });
    await w.verify(await tokenFor(current));
    w.state.now += MINUTE;
    expect(await w.verify(await tokenFor(current))).toEqual({ ok: false, reason: "keys_unavailable" });
    expect(w.fetches()).toBe(1);

    w.state.respond = undefined;
    w.state.published = [current.publicJwk];
    w.state.now += 5 * MINUTE;
    expect((await w.verify(await tokenFor(current, TENANT, w.state.now))).ok).toBe(true);
    expect(w.fetches()).toBe(2);
  });

  it("reports keys_unavailable for an unknown kid when the refresh it caused failed", async () => {
    const w = world();
    w.state.published = [current.publicJwk];
    await w.verify(await tokenFor(current));
    w.state.respond = () => new Response("oops", { status: 503 });
    w.state.now += 5 * MINUTE;
    expect(await w.verify(await tokenFor(next))).toEqual({ ok: false, reason: "keys_unavailable" });
    expect(w.fetches()).toBe(2);
    expect((await w.verify(await tokenFor(current))).ok).toBe(true);
  });
});

describe("trusted keys", () => {
  it("verifies a token signed by a trusted key without any fetch", async () => {
    const w = world({ trustedJwks: { keys: [current.publicJwk as JsonWebKey] } });
    expect((await w.verify(await tokenFor(current))).ok).toBe(true);
    expect(w.fetches()).toBe(0);
  });

  it("verifies a token from signDevToken with the committed dev key against wrangler.toml's TRUSTED_DEV_JWKS, without any fetch", async () => {
    const w = world({ trustedJwks: trustedDevJwks() as { keys: JsonWebKey[] } });
    const token = await signDevToken({ jwk: devSigningKey, tenantId: TENANT, now: () => START });
    const result = await w.verify(token);
    expect(result.ok && result.tenantId).toBe(TENANT);
    expect(w.fetches()).toBe(0);
  });

  it("has TRUSTED_DEV_JWKS hold exactly the public half of the committed dev signing key", () => {
    const { keys } = trustedDevJwks();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: "RSA", n: devSigningKey.n, e: devSigningKey.e, kid: DEV_KID });
    expect(devSigningKey.kid).toBe(DEV_KID);
    for (const member of ["d", "p", "q", "dp", "dq", "qi"]) expect(keys[0]).not.toHaveProperty(member);
  });

  it("rejects a dev token under the production configuration, which trusts no extra key", async () => {
    const production = JSON.parse(env.PRODUCTION_VARS) as { TRUSTED_DEV_JWKS: string };
    expect(production.TRUSTED_DEV_JWKS).toBe("");
    const w = world();
    w.state.published = [current.publicJwk];
    const token = await signDevToken({ jwk: devSigningKey, tenantId: TENANT, now: () => START });
    expect(await w.verify(token)).toEqual({ ok: false, reason: "unknown_kid" });
  });
});
