// Who may call /Users and /Groups: a bearer token that is either Entra's own provisioning JWT or a
// TeleMessage secret token, whose tenant is on the KV allow-list and enabled. The token's audience is
// shared by every non-gallery app of every tenant, so the allow-list is the real authorisation.
// Token failures all answer one generic 401; the precise reason is kept for the request log only.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import { readConfig, type Config } from "../config.ts";
import { forbidden, unauthorized } from "../scim/errors.ts";
import { checkEntraSignature, readEntraToken } from "./entra-token.ts";
import { COMMON_KEYS, createKeySource, type KeySource } from "./jwks-cache.ts";
import { createExpiringCache, type ExpiringCache } from "./expiring-cache.ts";
import { looksLikeJwt, parseSecretToken, secretTokenMatches } from "./secret-token.ts";
import { lookupTenant, type TenantLookup } from "./tenant-lookup.ts";

export type RequireTenantOptions = {
  fetch?: typeof fetch;
  now?: () => number;
  /**
   * How long an allow-list answer is reused by this isolate. KV itself takes up to about a minute to
   * propagate a change; a few seconds here spare a KV read per request without noticeably adding to it.
   */
  tenantCacheMs?: number;
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

const NOT_APPROVED =
  "This Entra tenant is not approved for TeleMessage provisioning. Send your tenant ID (Entra admin center > Overview) to your TeleMessage account manager.";

export function requireTenant(options: RequireTenantOptions = {}) {
  const now = options.now ?? Date.now;
  const tenantCacheMs = options.tenantCacheMs ?? TENANT_CACHE_MS;
  const tenants = createExpiringCache<TenantLookup>(MAX_CACHED_TENANTS, now);
  const lookup = async (kv: KVNamespace, tenantId: string): Promise<TenantLookup> => {
    const cached = tenants.get(tenantId);
    if (cached) return cached;
    const fresh = await lookupTenant(kv, tenantId);
    if (tenantCacheMs > 0) tenants.set(tenantId, fresh, now() + tenantCacheMs);
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
  const trustFor = (config: Config) => {
    let state = trust.get(config.keyConfigId);
    if (!state) {
      const keys =
        options.keys ??
        createKeySource({
          fetch: options.fetch ?? ((input, init) => fetch(input, init)),
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

    const config = readConfig(c.env);
    const { keys, commonKeys, verifiedTokens } = trustFor(config);
    // A token verified before is recognised first: only JWTs are ever kept there, and Entra sends the same
    // token for an hour, so the shape checks below run once per token rather than once per request.
    const known = verifiedTokens.get(token);
    const jwt = known !== undefined || looksLikeJwt(token);
    let tenantId: string;
    let found: TenantLookup | undefined;
    if (known) {
      tenantId = known;
    } else if (jwt) {
      const read = readEntraToken(token, { audiences: config.audiences, now });
      if (!read.ok) throw refuse(read.reason);
      // The allow-list is read before any key is fetched: the claims cost nothing to forge, and a tenant
      // id that is not listed must not make us ask Microsoft for that tenant's keys. Its token is checked
      // against Microsoft's keys shared by all tenants instead (one document, whatever the tenant), so a
      // genuine token still earns the "not approved" answer and a forged one the same 401 as anywhere.
      found = await lookup(c.env.TENANTS, read.tenantId);
      const failure = await checkEntraSignature(token, read, found.found ? keys : commonKeys);
      if (failure) throw refuse(failure);
      tenantId = read.tenantId;
      verifiedTokens.set(token, tenantId, read.expiresAt);
    } else {
      const parsed = parseSecretToken(token);
      if (!parsed) throw refuse("malformed");
      tenantId = parsed.tenantId;
    }

    c.set("tenantId", tenantId);
    found ??= await lookup(c.env.TENANTS, tenantId);
    if (!jwt) {
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
    c.set("tenant", { tenantId, record: found.record });
    await next();
  });
}
