// verifyEntraToken: one named test per refusal reason, with throwaway keys, an injected clock and a fake
// Microsoft keys endpoint. The cache's own behaviour (refresh limits, concurrency, the dev key) is in
// auth-signing-keys.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from "jose";
import type { JWK } from "jose";
import { createKeySource } from "../../src/auth/signing-keys.ts";
import type { KeySource } from "../../src/auth/signing-keys.ts";
import { ENTRA_PROVISIONING_APP_ID, MAX_TOKEN_LIFETIME_SECONDS, verifyEntraToken } from "../../src/auth/entra-token.ts";

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const NOW_S = NOW / 1000;
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OTHER_TENANT = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";
const AUDIENCE = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621";
const KID = "ms-key-1";

let signingKey: CryptoKey;
let publicJwk: JWK;
let publicPem: string;
let strangerKey: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair("RS256", { extractable: true });
  signingKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: KID, use: "sig" };
  publicPem = await exportSPKI(pair.publicKey);
  strangerKey = (await generateKeyPair("RS256", { extractable: true })).privateKey;
});

/** Claims as Entra's provisioning service sends them; an override of `undefined` removes the claim. */
function entraClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    aud: AUDIENCE,
    iss: `https://sts.windows.net/${TENANT}/`,
    iat: NOW_S - 60,
    nbf: NOW_S - 60,
    exp: NOW_S + 3540,
    appid: ENTRA_PROVISIONING_APP_ID,
    oid: "5f1c3d2e-1111-4222-8333-944455566677",
    sub: "5f1c3d2e-1111-4222-8333-944455566677",
    tid: TENANT,
    ver: "1.0",
    ...overrides,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return claims;
}

function sign(
  overrides: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  key: CryptoKey = signingKey,
): Promise<string> {
  return new SignJWT(entraClaims(overrides))
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: KID, ...header })
    .sign(key);
}

const base64url = (text: string) => btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** Microsoft's keys endpoint, counting its calls. */
function microsoftKeys(respond: () => Response = () => Response.json({ keys: [publicJwk] })) {
  const urls: string[] = [];
  const fetch = (async (input: RequestInfo | URL) => {
    urls.push(String(input));
    return respond();
  }) as typeof globalThis.fetch;
  return { fetch, urls, keys: createKeySource({ fetch, now: () => NOW }) };
}

/** A key source that records lookups; used to prove a token was refused before any key was sought. */
function watchedKeys(): KeySource & { lookups: number } {
  const source = {
    lookups: 0,
    async getKey() {
      source.lookups++;
      return undefined;
    },
  };
  return source;
}

const verify = (token: string, keys: KeySource, extra: { maxSkewSeconds?: number; audiences?: string[] } = {}) =>
  verifyEntraToken(token, { audiences: extra.audiences ?? [AUDIENCE], keys, now: () => NOW, maxSkewSeconds: extra.maxSkewSeconds });

describe("verifyEntraToken: accepted tokens", () => {
  it("accepts a token shaped like Entra's and returns its tenant, expiry and claims", async () => {
    const { keys, urls } = microsoftKeys();
    const result = await verify(await sign(), keys);
    expect(result).toEqual({ ok: true, tenantId: TENANT, expiresAt: (NOW_S + 3540) * 1000, claims: entraClaims() });
    expect(urls).toEqual([`https://login.microsoftonline.com/${TENANT}/discovery/keys`]);
  });

  it("accepts an aud array that contains one accepted audience", async () => {
    const result = await verify(await sign({ aud: ["api://something-else", AUDIENCE] }), microsoftKeys().keys);
    expect(result.ok).toBe(true);
  });

  it("accepts a tenant GUID in upper case in tid and iss, and reports it in lower case", async () => {
    const upper = TENANT.toUpperCase();
    const token = await sign({ tid: upper, iss: `https://sts.windows.net/${upper}/` });
    const result = await verify(token, microsoftKeys().keys);
    expect(result.ok && result.tenantId).toBe(TENANT);
  });

  it("accepts a lifetime of 29,100 s, as a real provisioning token was observed with, and one of exactly 24 h", async () => {
    const observed = await verify(await sign({ iat: NOW_S - 60, exp: NOW_S - 60 + 29_100 }), microsoftKeys().keys);
    expect(observed.ok).toBe(true);
    const longest = await verify(await sign({ iat: NOW_S - 60, exp: NOW_S - 60 + MAX_TOKEN_LIFETIME_SECONDS }), microsoftKeys().keys);
    expect(longest.ok).toBe(true);
    expect(MAX_TOKEN_LIFETIME_SECONDS).toBe(24 * 60 * 60);
  });

  it("accepts a token issued less than the allowed skew ahead of our clock", async () => {
    expect((await verify(await sign({ iat: NOW_S + 299, nbf: NOW_S + 299 }), microsoftKeys().keys)).ok).toBe(true);
  });

  it("accepts a token that expired less than the allowed skew ago", async () => {
    const result = await verify(await sign({ exp: NOW_S - 299 }), microsoftKeys().keys);
    expect(result.ok).toBe(true);
  });

  it("accepts a token whose nbf is less than the allowed skew ahead", async () => {
    const result = await verify(await sign({ nbf: NOW_S + 299 }), microsoftKeys().keys);
    expect(result.ok).toBe(true);
  });
});

describe("verifyEntraToken: refused before any key is looked up", () => {
  it.each([
    ["an empty string", ""],
    ["a single word", "not-a-token"],
    ["two segments", "eyJhbGciOiJSUzI1NiJ9.e30"],
    ["a header that is not base64url JSON", "!!!.e30.sig"],
    ["a header that decodes to something other than JSON", `${base64url("hello")}.e30.c2ln`],
  ])("rejects %s as malformed", async (_, token) => {
    const keys = watchedKeys();
    expect(await verify(token, keys)).toEqual({ ok: false, reason: "malformed" });
    expect(keys.lookups).toBe(0);
  });

  it("rejects an RS256 token whose payload is not JSON as malformed", async () => {
    const keys = watchedKeys();
    const token = `${base64url(JSON.stringify({ alg: "RS256", kid: KID }))}.${base64url("not json")}.c2ln`;
    expect(await verify(token, keys)).toEqual({ ok: false, reason: "malformed" });
    expect(keys.lookups).toBe(0);
  });

  it("rejects a token longer than any Entra token as malformed", async () => {
    const token = await sign({ padding: "x".repeat(20_000) });
    expect(await verify(token, watchedKeys())).toEqual({ ok: false, reason: "malformed" });
  });

  it("rejects alg none before looking up any key", async () => {
    const keys = watchedKeys();
    const token = `${base64url(JSON.stringify({ alg: "none", kid: KID }))}.${base64url(JSON.stringify(entraClaims()))}.`;
    expect(await verify(token, keys)).toEqual({ ok: false, reason: "alg_not_allowed" });
    expect(keys.lookups).toBe(0);
  });

  it("rejects an HS256 token keyed with the public key material before looking up any key", async () => {
    const keys = watchedKeys();
    // The classic confusion attack: the public key (known to everyone) used as an HMAC secret.
    const secret = new TextEncoder().encode(publicPem);
    const token = await new SignJWT(entraClaims()).setProtectedHeader({ alg: "HS256", kid: KID }).sign(secret);
    expect(await verify(token, keys)).toEqual({ ok: false, reason: "alg_not_allowed" });
    expect(keys.lookups).toBe(0);
  });

  it("rejects a PS256 token signed with the right key because only RS256 is allowed", async () => {
    const pss = await generateKeyPair("PS256");
    const token = await new SignJWT(entraClaims()).setProtectedHeader({ alg: "PS256", kid: KID }).sign(pss.privateKey);
    expect(await verify(token, watchedKeys())).toEqual({ ok: false, reason: "alg_not_allowed" });
  });

  it("rejects a token without a kid", async () => {
    const keys = watchedKeys();
    expect(await verify(await sign({}, { kid: undefined }), keys)).toEqual({ ok: false, reason: "missing_kid" });
    expect(keys.lookups).toBe(0);
  });

  it("rejects a token without a tid", async () => {
    expect(await verify(await sign({ tid: undefined }), watchedKeys())).toEqual({ ok: false, reason: "bad_tid" });
  });

  it("rejects a tid that is a domain name rather than a GUID", async () => {
    const token = await sign({ tid: "contoso.onmicrosoft.com", iss: "https://sts.windows.net/contoso.onmicrosoft.com/" });
    expect(await verify(token, watchedKeys())).toEqual({ ok: false, reason: "bad_tid" });
  });

  it.each([
    ["a look-alike host", `https://sts.windows.net.evil/${TENANT}/`],
    ["http instead of https", `http://sts.windows.net/${TENANT}/`],
    ["no trailing slash", `https://sts.windows.net/${TENANT}`],
    ["the host in upper case", `https://STS.WINDOWS.NET/${TENANT}/`],
    ["the v2 issuer", `https://login.microsoftonline.com/${TENANT}/v2.0`],
    ["a path after the tenant", `https://sts.windows.net/${TENANT}/x/`],
  ])("rejects an issuer with %s as bad_issuer", async (_, iss) => {
    const keys = watchedKeys();
    expect(await verify(await sign({ iss }), keys)).toEqual({ ok: false, reason: "bad_issuer" });
    expect(keys.lookups).toBe(0);
  });

  it("rejects a token without iss as bad_issuer", async () => {
    expect(await verify(await sign({ iss: undefined }), watchedKeys())).toEqual({ ok: false, reason: "bad_issuer" });
  });

  it("rejects another tenant's issuer as issuer_tenant_mismatch", async () => {
    const token = await sign({ iss: `https://sts.windows.net/${OTHER_TENANT}/` });
    expect(await verify(token, watchedKeys())).toEqual({ ok: false, reason: "issuer_tenant_mismatch" });
  });

  it("rejects a tid that names another tenant than the issuer as issuer_tenant_mismatch", async () => {
    const token = await sign({ tid: OTHER_TENANT });
    expect(await verify(token, watchedKeys())).toEqual({ ok: false, reason: "issuer_tenant_mismatch" });
  });

  it.each([
    ["a wrong aud", { aud: "api://another-app" }],
    ["no aud", { aud: undefined }],
    ["an empty aud array", { aud: [] }],
    ["an aud that differs only in case", { aud: AUDIENCE.toUpperCase() }],
  ])("rejects %s as bad_audience", async (_, overrides) => {
    expect(await verify(await sign(overrides), watchedKeys())).toEqual({ ok: false, reason: "bad_audience" });
  });

  it("rejects every token when no audience is configured", async () => {
    expect(await verify(await sign(), watchedKeys(), { audiences: [] })).toEqual({ ok: false, reason: "bad_audience" });
  });

  it("rejects an appid other than Entra's provisioning service as bad_appid", async () => {
    const token = await sign({ appid: "11111111-2222-4333-8444-555555555555" });
    expect(await verify(token, watchedKeys())).toEqual({ ok: false, reason: "bad_appid" });
  });

  it("rejects a token without appid as missing_appid, before any key is looked up", async () => {
    const keys = watchedKeys();
    expect(await verify(await sign({ appid: undefined }), keys)).toEqual({ ok: false, reason: "missing_appid" });
    expect(keys.lookups).toBe(0);
  });

  it("rejects a token without iat as missing_iat, since its lifetime cannot be bounded", async () => {
    expect(await verify(await sign({ iat: undefined }), watchedKeys())).toEqual({ ok: false, reason: "missing_iat" });
  });

  it("rejects an iat that is not a number as malformed", async () => {
    expect(await verify(await sign({ iat: String(NOW_S) }), watchedKeys())).toEqual({ ok: false, reason: "malformed" });
  });

  it("rejects a token whose lifetime exceeds 24 h by one second as lifetime_too_long, before any key is looked up", async () => {
    const keys = watchedKeys();
    const token = await sign({ iat: NOW_S - 60, exp: NOW_S - 60 + MAX_TOKEN_LIFETIME_SECONDS + 1 });
    expect(await verify(token, keys)).toEqual({ ok: false, reason: "lifetime_too_long" });
    expect(keys.lookups).toBe(0);
  });

  it("rejects a token issued further in the future than the skew as not_yet_valid", async () => {
    expect(await verify(await sign({ iat: NOW_S + 301, nbf: undefined }), watchedKeys())).toEqual({ ok: false, reason: "not_yet_valid" });
  });

  it("rejects a token without exp as missing_exp", async () => {
    expect(await verify(await sign({ exp: undefined }), watchedKeys())).toEqual({ ok: false, reason: "missing_exp" });
  });

  it("rejects an exp that is not a number as malformed", async () => {
    expect(await verify(await sign({ exp: String(NOW_S + 60) }), watchedKeys())).toEqual({ ok: false, reason: "malformed" });
  });

  it("rejects a token that expired more than the allowed skew ago as expired", async () => {
    const keys = watchedKeys();
    expect(await verify(await sign({ exp: NOW_S - 301 }), keys)).toEqual({ ok: false, reason: "expired" });
    expect(keys.lookups).toBe(0);
  });

  it("rejects a just-expired token as expired when the skew is zero", async () => {
    const token = await sign({ exp: NOW_S });
    expect(await verify(token, watchedKeys(), { maxSkewSeconds: 0 })).toEqual({ ok: false, reason: "expired" });
  });

  it("rejects a token whose nbf is further in the future than the skew as not_yet_valid", async () => {
    expect(await verify(await sign({ nbf: NOW_S + 301 }), watchedKeys())).toEqual({ ok: false, reason: "not_yet_valid" });
  });
});

describe("verifyEntraToken: refused by the keys", () => {
  it("rejects a kid the tenant's keys do not have as unknown_kid", async () => {
    const { keys } = microsoftKeys();
    expect(await verify(await sign({}, { kid: "retired-key" }), keys)).toEqual({ ok: false, reason: "unknown_kid" });
  });

  it("rejects a token signed by another key under the right kid as bad_signature", async () => {
    const { keys } = microsoftKeys();
    expect(await verify(await sign({}, {}, strangerKey), keys)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("rejects a token whose claims were changed after signing as bad_signature", async () => {
    const [header, , signature] = (await sign()).split(".");
    const forged = `${header}.${base64url(JSON.stringify(entraClaims({ oid: "attacker" })))}.${signature}`;
    expect(await verify(forged, microsoftKeys().keys)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("reports keys_unavailable when Microsoft's keys cannot be fetched", async () => {
    const { keys } = microsoftKeys(() => new Response("upstream trouble", { status: 503 }));
    expect(await verify(await sign(), keys)).toEqual({ ok: false, reason: "keys_unavailable" });
  });

  it("reports keys_unavailable instead of throwing when the key source throws", async () => {
    const broken: KeySource = {
      async getKey() {
        throw new Error("boom");
      },
    };
    expect(await verify(await sign(), broken)).toEqual({ ok: false, reason: "keys_unavailable" });
  });
});
