// The Cloudflare Access token check, pure: keys and clock given. Every claim is checked before a key is looked
// up (a forged or stale token costs no fetch of the team's certs), and the reason is precise for the log.
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyAccessToken, type AccessFailure } from "../../src/auth/access-token.ts";
import type { KeySource } from "../../src/auth/signing-keys.ts";
import { signDevAccessToken } from "../../src/tools/dev/dev-access-token.ts";

const TEAM = "telemessage.cloudflareaccess.com";
const AUD = "a".repeat(64);
const NOW = Date.parse("2026-12-01T10:00:00.000Z");
let jwk: JWK;
let key: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair("RS256", { extractable: true });
  jwk = { ...(await exportJWK(pair.privateKey)), kid: "team-1" };
  key = pair.publicKey;
});

/** Keys that count their lookups, so a test can say none happened. */
function keys(found: CryptoKey | "none" | "unavailable" = key) {
  const source: KeySource & { lookups: number } = {
    lookups: 0,
    async getKey() {
      source.lookups++;
      return found === "none" ? undefined : found;
    },
  };
  return source;
}

const sign = (overrides: Partial<Parameters<typeof signDevAccessToken>[0]> = {}) =>
  signDevAccessToken({ jwk, teamDomain: TEAM, audience: AUD, email: "ann.am@telemessage.example", now: () => NOW, ...overrides });
const verify = (token: string | undefined, source = keys(), now = NOW) => verifyAccessToken(token, { teamDomain: TEAM, audience: AUD, keys: source, now: () => now });

describe("verifyAccessToken", () => {
  it("accepts a token of the team for the application, and names the person by e-mail", async () => {
    expect(await verify(await sign())).toEqual({ ok: true, identity: "ann.am@telemessage.example", expiresAt: (Math.floor(NOW / 1000) + 8 * 3600) * 1000 });
  });

  it.each<[string, () => Promise<string | undefined>, AccessFailure, number]>([
    ["missing", async () => undefined, "missing", NOW],
    ["expired", () => sign({ expiresInSeconds: 60 }), "expired", NOW + 5 * 60_000],
    ["for another application", () => sign({ audience: "b".repeat(64) }), "bad_audience", NOW],
    ["of another team", () => sign({ teamDomain: "other.cloudflareaccess.com" }), "bad_issuer", NOW],
    ["issued in the future", () => sign({ now: () => NOW + 3_600_000 }), "not_yet_valid", NOW],
    ["not a JWT", async () => "a.b", "malformed", NOW],
  ])("refuses a token %s before looking any key up", async (_what, make, reason, now) => {
    const source = keys();
    expect(await verify(await make(), source, now)).toEqual({ ok: false, reason });
    expect(source.lookups).toBe(0);
  });

  it("refuses a token signed with another key under the team's kid (forged)", async () => {
    const other = await generateKeyPair("RS256", { extractable: true });
    const forged = await signDevAccessToken({ jwk: { ...(await exportJWK(other.privateKey)), kid: "team-1" }, teamDomain: TEAM, audience: AUD, email: "x@y", now: () => NOW });
    expect(await verify(forged)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("tells an unknown key from keys it cannot fetch (403 versus 503)", async () => {
    expect(await verify(await sign(), keys("none"))).toEqual({ ok: false, reason: "unknown_kid" });
    expect(await verify(await sign(), keys("unavailable"))).toEqual({ ok: false, reason: "keys_unavailable" });
  });

  it("names a service token by its common name, and refuses a token that names no one", async () => {
    const service = await new (await import("jose")).SignJWT({ aud: [AUD], iss: `https://${TEAM}`, common_name: "deploy-bot.access", exp: Math.floor(NOW / 1000) + 60 })
      .setProtectedHeader({ alg: "RS256", kid: "team-1" })
      .sign(await (await import("jose")).importJWK(jwk, "RS256"));
    expect(await verify(service)).toMatchObject({ ok: true, identity: "service token deploy-bot.access" });
    expect(await verify(await sign({ email: "" }))).toEqual({ ok: false, reason: "no_identity" });
  });
});
