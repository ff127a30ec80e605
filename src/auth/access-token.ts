// Verification of the JWT Cloudflare Access puts in front of every console request (Cf-Access-Jwt-Assertion):
// signed by the team's keys (https://<team domain>/cdn-cgi/access/certs), issued by the team domain, for the
// console's Access application (its audience tag), not expired. Pure: the keys and the clock come in, a
// tagged result goes out, nothing is thrown for a bad token. The reason is for the log only; the caller
// answers one generic 403. The header's presence proves nothing: anyone can send one.
//
// As with Entra's tokens (entra-token.ts), everything that can be decided from the token alone is checked
// before a key is looked up, so a forged or stale token never makes us fetch the team's certs; jose's
// jwtVerify then checks the signature together with the same claims, over the very bytes read.
import { decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { COMMON_KEYS, type KeySource } from "./signing-keys.ts";

/** Access signs with RS256 only. */
export const ACCESS_ALG = "RS256";
export const DEFAULT_ACCESS_SKEW_SECONDS = 60;
const MAX_TOKEN_LENGTH = 16 * 1024;
const COMPACT_JWS_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The issuer of a team's Access tokens: its team domain, https, no trailing slash. */
export const accessIssuer = (teamDomain: string): string => `https://${teamDomain}`;
export const accessCertsUrl = (teamDomain: string): string => `https://${teamDomain}/cdn-cgi/access/certs`;

export type AccessFailure =
  | "missing"
  | "malformed"
  | "alg_not_allowed"
  | "missing_kid"
  | "bad_issuer"
  | "bad_audience"
  | "missing_exp"
  | "expired"
  | "not_yet_valid"
  | "no_identity"
  | "keys_unavailable"
  | "unknown_kid"
  | "bad_signature";

/** Who the token names: a person's e-mail, or for a service token its common name. */
export type AccessResult = { ok: true; identity: string; expiresAt: number } | { ok: false; reason: AccessFailure };

export type AccessVerifyOptions = {
  teamDomain: string;
  /** The Access application's audience tag (AUD). */
  audience: string;
  /** The team's keys (and, in local development only, the development key). */
  keys: KeySource;
  /** Milliseconds since the epoch. */
  now: () => number;
  maxSkewSeconds?: number;
};

const fail = (reason: AccessFailure): { ok: false; reason: AccessFailure } => ({ ok: false, reason });

export async function verifyAccessToken(token: string | undefined, opts: AccessVerifyOptions): Promise<AccessResult> {
  if (token === undefined || token === "") return fail("missing");
  if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS_PATTERN.test(token)) return fail("malformed");
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token);
    claims = decodeJwt(token);
  } catch {
    return fail("malformed");
  }
  if (header.alg !== ACCESS_ALG) return fail("alg_not_allowed");
  if (typeof header.kid !== "string" || header.kid === "") return fail("missing_kid");

  const issuer = accessIssuer(opts.teamDomain);
  if (claims.iss !== issuer) return fail("bad_issuer");
  const audiences = typeof claims.aud === "string" ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  if (!audiences.includes(opts.audience)) return fail("bad_audience");
  const skew = Math.max(0, opts.maxSkewSeconds ?? DEFAULT_ACCESS_SKEW_SECONDS);
  const nowSeconds = Math.floor(opts.now() / 1000);
  if (typeof claims.exp !== "number" || !Number.isFinite(claims.exp)) return fail("missing_exp");
  // RFC 7519 §4.1.4: not accepted on or after exp.
  if (claims.exp <= nowSeconds - skew) return fail("expired");
  if ((typeof claims.nbf === "number" && claims.nbf > nowSeconds + skew) || (typeof claims.iat === "number" && claims.iat > nowSeconds + skew)) {
    return fail("not_yet_valid");
  }
  const identity = identityOf(claims);
  if (!identity) return fail("no_identity");

  let key: Awaited<ReturnType<KeySource["getKey"]>>;
  try {
    // One key set per team, held like Microsoft's common keys (signing-keys.ts: cache, cooldown, one fetch).
    key = await opts.keys.getKey(COMMON_KEYS, header.kid);
  } catch {
    return fail("keys_unavailable");
  }
  if (key === "unavailable") return fail("keys_unavailable");
  if (key === undefined) return fail("unknown_kid");
  try {
    await jwtVerify(token, key, {
      algorithms: [ACCESS_ALG],
      issuer,
      audience: opts.audience,
      currentDate: new Date(opts.now()),
      clockTolerance: skew,
      requiredClaims: ["exp"],
    });
  } catch {
    return fail("bad_signature");
  }
  return { ok: true, identity, expiresAt: claims.exp * 1000 };
}

/** A person's token carries their e-mail; a service token's, its client's common name. */
function identityOf(claims: Record<string, unknown>): string | undefined {
  const text = (value: unknown) => (typeof value === "string" && value.trim() && value.length <= 320 ? value.trim() : undefined);
  const email = text(claims.email);
  if (email) return email;
  const service = text(claims.common_name);
  return service ? `service token ${service}` : undefined;
}
