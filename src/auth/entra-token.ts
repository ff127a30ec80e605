// Verification of the bearer token Entra's provisioning service sends (a v1 access token signed by the
// tenant's Microsoft keys). Pure: the keys and the clock come in, a tagged result goes out, nothing is
// thrown for a bad token. The precise reason is for the log only; the caller answers one generic 401.
//
// Order matters: everything that can be decided from the token alone (algorithm, kid, tenant, issuer,
// audience, caller, lifetime) is checked before a key is looked up, so a forged or stale token never
// makes us fetch keys. The signature is checked last, over the very bytes whose claims were read.
import { compactVerify, decodeJwt, decodeProtectedHeader } from "jose";
import type { KeySource } from "./signing-keys.ts";
import { GUID_PATTERN, guidPatternSource } from "../tenants/record.ts";

/** Entra's non-gallery app audience: every custom app's provisioning token carries it. */
export const NON_GALLERY_AUDIENCE = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621";
/** The application id of Entra's provisioning service, the only caller we accept. */
export const ENTRA_PROVISIONING_APP_ID = "00000014-0000-0000-c000-000000000000";
/** Microsoft signs these tokens with RS256 only; anything else is an algorithm-confusion attempt. */
export const REQUIRED_ALG = "RS256";
export const DEFAULT_MAX_SKEW_SECONDS = 300;
/**
 * The longest lifetime (exp - iat) a token may claim. Entra's provisioning tokens live for hours: one was
 * observed with 29,100 s (about 8 h), so the cap sits well above that and only refuses what Entra never
 * issues, bounding how long a leaked token can be replayed.
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;
// Entra's tokens are a few KB; a larger "token" is not worth decoding.
const MAX_TOKEN_LENGTH = 16 * 1024;

/** The v1 issuer of a tenant's tokens, exactly as Entra writes it (https, trailing slash). */
export const entraIssuer = (tenantId: string): string => `https://sts.windows.net/${tenantId}/`;
// Exact apart from the GUID's case; no `i` flag, so the scheme and host must be as Entra writes them.
const ISSUER_PATTERN = new RegExp(`^https://sts\\.windows\\.net/(${guidPatternSource(true)})/$`);
const COMPACT_JWS_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export type TokenFailure =
  | "malformed"
  | "alg_not_allowed"
  | "missing_kid"
  | "bad_tid"
  | "bad_issuer"
  | "issuer_tenant_mismatch"
  | "bad_audience"
  | "missing_appid"
  | "bad_appid"
  | "missing_exp"
  | "missing_iat"
  | "lifetime_too_long"
  | "expired"
  | "not_yet_valid"
  | "keys_unavailable"
  | "unknown_kid"
  | "bad_signature";

export type TokenResult =
  | { ok: true; tenantId: string; expiresAt: number; claims: Record<string, unknown> }
  | { ok: false; reason: TokenFailure };

export interface VerifyOptions {
  /** Accepted `aud` values; empty accepts nothing. */
  audiences: readonly string[];
  keys: KeySource;
  /** Milliseconds since the epoch. */
  now: () => number;
  maxSkewSeconds?: number;
}

const fail = (reason: TokenFailure): { ok: false; reason: TokenFailure } => ({ ok: false, reason });

/** What a token says, read and checked without a key: the tenant it claims, its key id and lifetime. */
export type ReadToken =
  | { ok: true; tenantId: string; kid: string; expiresAt: number; claims: Record<string, unknown> }
  | { ok: false; reason: TokenFailure };

export async function verifyEntraToken(token: string, opts: VerifyOptions): Promise<TokenResult> {
  const read = readEntraToken(token, opts);
  if (!read.ok) return read;
  const failure = await checkEntraSignature(token, read, opts.keys);
  if (failure) return fail(failure);
  return { ok: true, tenantId: read.tenantId, expiresAt: read.expiresAt, claims: read.claims };
}

/**
 * The first half of verifyEntraToken: every check that needs no key. Its tenant is only claimed until
 * checkEntraSignature has passed.
 */
export function readEntraToken(token: string, opts: Omit<VerifyOptions, "keys">): ReadToken {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS_PATTERN.test(token)) {
    return fail("malformed");
  }

  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return fail("malformed");
  }
  if (header.alg !== REQUIRED_ALG) return fail("alg_not_allowed");
  const kid = header.kid;
  if (typeof kid !== "string" || kid === "") return fail("missing_kid");

  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(token);
  } catch {
    return fail("malformed");
  }

  const checked = checkClaims(claims, opts);
  if (typeof checked === "string") return fail(checked);
  return { ok: true, tenantId: checked.tenantId, kid, expiresAt: checked.exp * 1000, claims };
}

/** The second half: the signature, against the key `keys` holds for the token's tenant and kid. */
export async function checkEntraSignature(
  token: string,
  read: { tenantId: string; kid: string },
  keys: KeySource,
): Promise<TokenFailure | undefined> {
  let key: Awaited<ReturnType<KeySource["getKey"]>>;
  try {
    key = await keys.getKey(read.tenantId, read.kid);
  } catch {
    return "keys_unavailable";
  }
  if (key === "unavailable") return "keys_unavailable";
  if (key === undefined) return "unknown_kid";

  try {
    await compactVerify(token, key, { algorithms: [REQUIRED_ALG] });
  } catch {
    return "bad_signature";
  }
  return undefined;
}

/** The checks that need no key; returns the tenant and expiry, or why the token is refused. */
function checkClaims(
  claims: Record<string, unknown>,
  opts: Pick<VerifyOptions, "audiences" | "now" | "maxSkewSeconds">,
): { tenantId: string; exp: number } | TokenFailure {
  const { tid, iss, aud, appid, exp, nbf, iat } = claims;
  if (typeof tid !== "string" || !GUID_PATTERN.test(tid)) return "bad_tid";
  const tenantId = tid.toLowerCase();

  const issuer = typeof iss === "string" ? ISSUER_PATTERN.exec(iss) : null;
  if (!issuer) return "bad_issuer";
  if (issuer[1]?.toLowerCase() !== tenantId) return "issuer_tenant_mismatch";

  const audiences = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.some((a) => typeof a === "string" && opts.audiences.includes(a))) return "bad_audience";

  // Entra's provisioning tokens are v1 app-only tokens (the issuer above is v1's), which always name the
  // client in appid. Required: a token some other client obtained for the shared audience must not pass.
  if (appid === undefined) return "missing_appid";
  if (appid !== ENTRA_PROVISIONING_APP_ID) return "bad_appid";

  if (exp === undefined) return "missing_exp";
  // v1 access tokens always carry iat; without it a token's lifetime could not be bounded.
  if (iat === undefined) return "missing_iat";
  if (!isNumericDate(exp) || !isNumericDate(iat) || (nbf !== undefined && !isNumericDate(nbf))) return "malformed";
  const notBefore = nbf as number | undefined;
  const skew = Math.max(0, opts.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS);
  const nowSeconds = Math.floor(opts.now() / 1000);
  if (exp - iat > MAX_TOKEN_LIFETIME_SECONDS) return "lifetime_too_long";
  // RFC 7519 §4.1.4: not accepted "on or after" exp.
  if (exp <= nowSeconds - skew) return "expired";
  // A token issued in the future (beyond the skew) is as unusable as one not yet valid (RFC 7519 §4.1.5, §4.1.6).
  if ((notBefore !== undefined && notBefore > nowSeconds + skew) || iat > nowSeconds + skew) return "not_yet_valid";

  return { tenantId, exp };
}

const isNumericDate = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);
