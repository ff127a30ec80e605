// Who may call /Users and /Groups: a bearer token that is either Entra's own provisioning JWT or a
// TeleMessage secret token, whose tenant is on the KV allow-list and enabled. The token's audience is
// shared by every non-gallery app of every tenant, so the allow-list is the real authorisation.
// Token failures all answer one generic 401; the precise reason is kept for the request log only. Our own
// outages are never a 401 (Entra may quarantine a job for credential failures): keys we cannot fetch and an
// allow-list we cannot read answer 503 with Retry-After, which Entra retries.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import type { Deps } from "../deps.ts";
import { readTrustConfig, type TrustConfig } from "./trust-config.ts";
import { forbidden, unauthorized, unavailable } from "../scim/scim-error.ts";
import { authModeAllows, type TokenKind } from "./auth-mode.ts";
import { checkEntraSignature, readEntraToken } from "./entra-token.ts";
import { COMMON_KEYS, createKeySource, type KeySource } from "./signing-keys.ts";
import { createExpiringCache, type ExpiringCache } from "./expiring-cache.ts";
import { looksLikeJwt, parseSecretToken, secretTokenMatches } from "../tenants/secret-token.ts";
import { lookupTenant, type TenantLookup } from "./tenant-lookup.ts";

export type RequireTenantOptions = {
  /**
   * How long an allow-list answer is reused by this isolate. KV itself takes up to about a minute to
   * propagate a change; a few seconds here spare a KV read per request without noticeably adding to it.
   */
  tenantCacheMs?: number;
  /** How long this isolate remembers that a tenant id is not on the allow-list; see UNLISTED_TENANT_CACHE_MS. */
  unlistedTenantCacheMs?: number;
  /** Signing keys to verify Entra tokens with; by default Microsoft's per tenant plus TRUSTED_DEV_JWKS. */
  keys?: KeySource;
};

/** Default reuse of an allow-list answer; see RequireTenantOptions.tenantCacheMs. */
export const TENANT_CACHE_MS = 5_000;
/**
 * Bounds on the module-scope caches, so distinct tokens or tenant ids cannot grow memory without limit.
 * Only verified tokens are kept (Entra's are about 1.5 KB), so the token bound is a few MB at most.
 */
const MAX_CACHED_TOKENS = 2_000;
/** How long a secret token that matched its record's hash is recognised without hashing it again. */
const SECRET_MATCH_MS = 60 * 60_000;
const MAX_CACHED_TENANTS = 1_000;
/**
 * How long a tenant id found absent from the allow-list is remembered, in a cache of its own. Forged tokens
 * name made-up tenants for free: without this, each would cost a KV read per request, and kept with the
 * listed tenants they would evict those. The figure bounds both sides: a made-up id costs at most one KV read
 * per 30 s per isolate, and a tenant refused just before its approval is let in at most 30 s after its new
 * record reaches the location (KV's own propagation takes up to about a minute).
 */
export const UNLISTED_TENANT_CACHE_MS = 30_000;
/** About 100 bytes an entry: 10,000 made-up ids hold about 1 MB, and cannot push out a listed tenant. */
const MAX_CACHED_UNLISTED_TENANTS = 10_000;
const NOT_LISTED: TenantLookup = { found: false, reason: "tenant_not_listed" };

const KEYS_UNAVAILABLE =
  "Microsoft's signing keys cannot be fetched right now, so the token cannot be checked. Entra ID retries automatically.";

const NOT_APPROVED =
  "This Entra tenant is not approved for TeleMessage provisioning. Send your tenant ID (Entra admin center > Overview) to your TeleMessage account manager.";

/** The tenant guard; its clock and the fetch of Microsoft's keys are the Worker's (Deps). */
export function requireTenant(deps: Pick<Deps, "fetch" | "now">, options: RequireTenantOptions = {}) {
  const now = () => deps.now().getTime();
  const tenantCacheMs = options.tenantCacheMs ?? TENANT_CACHE_MS;
  const unlistedCacheMs = options.unlistedTenantCacheMs ?? UNLISTED_TENANT_CACHE_MS;
  // Two caches: what KV holds (a record, or one that does not parse), which only an account manager can
  // add to; and ids KV does not hold, which anyone can invent. Neither can evict the other's entries.
  const listed = createExpiringCache<TenantLookup>(MAX_CACHED_TENANTS, now);
  const unlisted = createExpiringCache<true>(MAX_CACHED_UNLISTED_TENANTS, now);
  const lookup = async (kv: KVNamespace, tenantId: string): Promise<TenantLookup> => {
    const cached = listed.get(tenantId) ?? (unlisted.get(tenantId) ? NOT_LISTED : undefined);
    if (cached) return cached;
    const fresh = await lookupTenant(kv, tenantId);
    if (!fresh.found && fresh.reason === "tenant_not_listed") {
      if (unlistedCacheMs > 0) unlisted.set(tenantId, true, now() + unlistedCacheMs);
    } else if (tenantCacheMs > 0) {
      listed.set(tenantId, fresh, now() + tenantCacheMs);
    }
    return fresh;
  };
  // What one trust configuration (audiences, extra keys) has learnt, kept for the isolate's lifetime: the
  // tenants' signing keys, and the tokens already verified under it. Verifying an RS256 signature costs more
  // than the rest of a request; a token Entra reuses for the hour of its validity is verified once per
  // isolate, then recognised until it expires. The whole token is the key, and the Map's own string hash
  // finds it: equality on the full text cannot collide, and a SHA-256 per request (an async digest) cost
  // more than the rest of the lookup. A cryptographic digest would matter only if the cache left the
  // isolate. Never key on a part of the token (its signature, say): a forged payload could reuse it.
  // Keeping both per configuration means a token verified under one trust setting is never reused under
  // another.
  const trust = new Map<string, { keys: KeySource; commonKeys: KeySource; verifiedTokens: ExpiringCache<string> }>();
  const trustFor = (config: TrustConfig) => {
    let state = trust.get(config.keyConfigId);
    if (!state) {
      const keys =
        options.keys ??
        createKeySource({
          fetch: deps.fetch,
          now,
          ...(config.trustedJwks ? { trustedJwks: config.trustedJwks } : {}),
        });
      const commonKeys: KeySource = { getKey: (_tenantId, kid) => keys.getKey(COMMON_KEYS, kid) };
      state = { keys, commonKeys, verifiedTokens: createExpiringCache<string>(MAX_CACHED_TOKENS, now) };
      trust.set(config.keyConfigId, state);
    }
    return state;
  };

  // A secret token that matched, with the record hash it matched: a hit still needs that hash to be the
  // record's current one, so issuing a new token or revoking it takes effect with the next record read.
  const matchedSecrets = createExpiringCache<string>(MAX_CACHED_TOKENS, now);
  const secretMatches = async (token: string, recordHash: string) => {
    if (matchedSecrets.get(token) === recordHash) return true;
    const matches = await secretTokenMatches(token, recordHash);
    if (matches) matchedSecrets.set(token, recordHash, now() + SECRET_MATCH_MS);
    return matches;
  };

  return createMiddleware<AppEnv>(async (c, next) => {
    const refuse = (reason: string) => {
      c.set("authFailure", reason);
      return unauthorized();
    };
    const match = /^bearer +(\S+) *$/i.exec(c.req.header("authorization") ?? "");
    const token = match?.[1];
    if (!token) throw refuse("missing_token");

    const config = readTrustConfig(c.env);
    const { keys, commonKeys, verifiedTokens } = trustFor(config);
    // A token verified before is recognised first: only JWTs are ever kept there, and Entra sends the same
    // token for an hour, so the shape checks below run once per token rather than once per request.
    const known = verifiedTokens.get(token);
    const kind: TokenKind = known !== undefined || looksLikeJwt(token) ? "entra-token" : "secret-token";
    // The tenant's record decides which kind of token it may use; checked on every request, cached token
    // or not, so switching a tenant's mode takes effect with the next record read.
    const refuseModeOf = (lookup: TenantLookup) => {
      if (lookup.found && !authModeAllows(lookup.record.authMode, kind)) throw refuse(`${kind}_not_allowed`);
    };
    let tenantId: string;
    let found: TenantLookup | undefined;
    if (known) {
      tenantId = known;
    } else if (kind === "entra-token") {
      const read = readEntraToken(token, { audiences: config.audiences, now });
      if (!read.ok) throw refuse(read.reason);
      // The allow-list is read before any key is fetched: the claims cost nothing to forge, and a tenant
      // id that is not listed must not make us ask Microsoft for that tenant's keys. Its token is checked
      // against Microsoft's keys shared by all tenants instead (one document, whatever the tenant), so a
      // genuine token still earns the "not approved" answer and a forged one the same 401 as anywhere.
      found = await lookup(c.env.TENANTS, read.tenantId);
      refuseModeOf(found);
      const failure = await checkEntraSignature(token, read, found.found ? keys : commonKeys);
      if (failure === "keys_unavailable") {
        // No key for this kid and none could be fetched: a good token cannot be told from a forged one.
        c.set("authFailure", failure);
        throw unavailable(KEYS_UNAVAILABLE);
      }
      if (failure) throw refuse(failure);
      tenantId = read.tenantId;
      verifiedTokens.set(token, tenantId, read.expiresAt);
    } else {
      const parsed = parseSecretToken(token);
      if (!parsed) throw refuse("malformed");
      tenantId = parsed.tenantId;
    }

    c.set("tenantId", tenantId);
    if (!found) {
      found = await lookup(c.env.TENANTS, tenantId);
      refuseModeOf(found);
    }
    if (kind === "secret-token") {
      // A secret token proves nothing until its hash matches the tenant's record; answer 401 either way.
      const hash = found.found ? found.record.secretTokenSha256 : undefined;
      if (!hash || !(await secretMatches(token, hash))) throw refuse("secret_token_mismatch");
    }
    if (!found.found) {
      c.set("authFailure", found.reason);
      throw forbidden(NOT_APPROVED);
    }
    if (!found.record.enabled) {
      c.set("authFailure", "tenant_disabled");
      throw forbidden(NOT_APPROVED);
    }
    c.set("tenant", { tenantId, record: found.record, requestId: c.get("requestId") });
    await next();
  });
}
