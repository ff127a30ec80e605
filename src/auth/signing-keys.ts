// Signing keys for Entra tokens: Microsoft's published keys per tenant, plus keys trusted by configuration
// (the development key locally; nothing in production). One instance lives at module scope in the Worker,
// so the cache outlives a request and every rule below is about protecting Microsoft's endpoint and us:
//
//   - trusted keys are looked up first, by kid, and never cause a fetch;
//   - a tenant's keys are fetched once and kept for `ttlMs`; after that they are refreshed, but a failed
//     refresh keeps serving what we had (Microsoft keeps retired keys valid for a while);
//   - an unknown kid may refresh a tenant at most once per `refreshCooldownMs`, and concurrent misses
//     share the one in-flight fetch, so a flood of tokens with made-up kids costs one request;
//   - the number of tenants held is bounded, since the tenant id comes from a not-yet-verified token;
//   - COMMON_KEYS stands for Microsoft's keys shared by all tenants, held like one more tenant;
//   - "no such kid" and "cannot tell" are different answers: the first is a 401, the second a 503 that
//     Entra retries, so an outage of Microsoft's endpoint never quarantines a customer's job.
//
// Why not jose's createRemoteJWKSet (jose still imports the keys and verifies the signature): read its source
// before "simplifying" this away. On Cloudflare Workers it deliberately drops the shared in-flight fetch
// (`isCloudflareWorkers()` in its reload), so concurrent misses each fetch; once its cacheMaxAge has passed
// it awaits a reload and throws when that fails, instead of serving the last good keys; its cooldown runs
// from the last successful fetch, not the last attempt, so a failing endpoint is asked again on every miss;
// it reads Date.now(), not an injected clock, so none of the rules above could be tested without waiting;
// and it holds one JWKS URL, where we need one per tenant, bounded, plus the trusted keys.
import { importJWK } from "jose";
import { GUID_PATTERN } from "../tenants/record.ts";

export interface KeySource {
  /** A key to verify with; undefined when no such kid exists; "unavailable" when we cannot tell. */
  getKey(tenantId: string, kid: string): Promise<CryptoKey | undefined | "unavailable">;
}

/** A JWK as it arrives in a JWKS document; `kid` is not part of the Web Crypto type. */
export type Jwk = JsonWebKey & { kid?: string };

export interface KeySourceOptions {
  fetch: typeof fetch;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Keys trusted for every tenant (the development key); production passes none. */
  trustedJwks?: { keys: readonly Jwk[] };
  keysUrl?: (tenantId: string) => string;
  ttlMs?: number;
  refreshCooldownMs?: number;
  /** Tenants whose keys are held at once; the least recently used is dropped beyond this. */
  maxTenants?: number;
}

export const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_REFRESH_COOLDOWN_MS = 5 * 60 * 1000;
export const DEFAULT_MAX_TENANTS = 1000;
const FETCH_TIMEOUT_MS = 10_000;
// workerd can leave a promise unsettled when the request that started the fetch is cancelled; past this
// age an in-flight refresh is presumed abandoned and the next caller starts its own.
const ABANDONED_FETCH_MS = 3 * FETCH_TIMEOUT_MS;

/**
 * Microsoft's keys shared by all tenants (login.microsoftonline.com/common): what a tenant's provisioning
 * token is signed with unless the tenant set keys of its own. Asked for tenants that are not on the
 * allow-list, so that a token naming any tenant id makes us fetch one document, not one per tenant.
 */
export const COMMON_KEYS = "common";

export const microsoftKeysUrl = (tenantId: string): string =>
  `https://login.microsoftonline.com/${encodeURIComponent(tenantId)}/discovery/keys`;

interface TenantKeys {
  /** The last good key set, by kid; undefined until a fetch has succeeded. */
  keys: Map<string, CryptoKey> | undefined;
  fetchedAt: number;
  lastAttemptAt: number;
  lastAttemptFailed: boolean;
  /** Counts refreshes, so a late answer to an abandoned one cannot overwrite a newer result. */
  attempts: number;
  inflight: Promise<void> | undefined;
}

export function createKeySource(opts: KeySourceOptions): KeySource {
  const ttlMs = opts.ttlMs ?? DEFAULT_TTL_MS;
  const cooldownMs = opts.refreshCooldownMs ?? DEFAULT_REFRESH_COOLDOWN_MS;
  const maxTenants = Math.max(1, opts.maxTenants ?? DEFAULT_MAX_TENANTS);
  const keysUrl = opts.keysUrl ?? microsoftKeysUrl;
  const tenants = new Map<string, TenantKeys>();
  let trusted: Promise<Map<string, CryptoKey>> | undefined;

  function entryFor(tenantId: string): TenantKeys {
    let entry = tenants.get(tenantId);
    if (entry) {
      tenants.delete(tenantId); // re-inserted below: Map order is our recency order
    } else {
      entry = {
        keys: undefined,
        fetchedAt: 0,
        lastAttemptAt: Number.NEGATIVE_INFINITY,
        lastAttemptFailed: false,
        attempts: 0,
        inflight: undefined,
      };
      if (tenants.size >= maxTenants) {
        const oldest = tenants.keys().next();
        if (!oldest.done) tenants.delete(oldest.value);
      }
    }
    tenants.set(tenantId, entry);
    return entry;
  }

  async function fetchKeys(tenantId: string): Promise<Map<string, CryptoKey> | undefined> {
    try {
      const response = await opts.fetch(keysUrl(tenantId), {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      if (response.status !== 200) return undefined;
      const keys = await importKeySet(await response.json());
      return keys.size > 0 ? keys : undefined;
    } catch {
      return undefined;
    }
  }

  // Starts the refresh synchronously (state is set before the first await) so that concurrent callers
  // arriving in the same tick see the in-flight promise and join it.
  function refresh(tenantId: string, entry: TenantKeys, startedAt: number): Promise<void> {
    entry.lastAttemptAt = startedAt;
    const attempt = ++entry.attempts;
    const run = fetchKeys(tenantId).then((keys) => {
      if (attempt !== entry.attempts) return;
      if (keys) {
        entry.keys = keys;
        entry.fetchedAt = startedAt;
      }
      entry.lastAttemptFailed = keys === undefined;
      entry.inflight = undefined;
    });
    entry.inflight = run;
    return run;
  }

  return {
    async getKey(tenantId, kid) {
      trusted ??= importKeySet(opts.trustedJwks ?? { keys: [] });
      const trustedKey = (await trusted).get(kid);
      if (trustedKey) return trustedKey;
      if (tenantId !== COMMON_KEYS && !GUID_PATTERN.test(tenantId)) return undefined;

      const entry = entryFor(tenantId.toLowerCase());
      const now = opts.now();
      const cached = entry.keys?.get(kid);
      if (cached && now - entry.fetchedAt < ttlMs) return cached;

      const abandoned = entry.inflight !== undefined && now - entry.lastAttemptAt >= ABANDONED_FETCH_MS;
      if (entry.inflight && !abandoned) {
        await entry.inflight;
      } else if (abandoned || now - entry.lastAttemptAt >= cooldownMs) {
        await refresh(tenantId.toLowerCase(), entry, now);
      }

      const key = entry.keys?.get(kid);
      if (key) return key;
      // With no key set, or with the latest refresh failed, an unknown kid may be a key we could not
      // fetch: say so (a 503 that Entra retries) rather than calling a good token forged.
      return entry.keys === undefined || entry.lastAttemptFailed ? "unavailable" : undefined;
    },
  };
}

/** Imports the RS256 signing keys of a JWKS document by kid; anything else in it is skipped. */
async function importKeySet(document: unknown): Promise<Map<string, CryptoKey>> {
  const keys = new Map<string, CryptoKey>();
  const list = typeof document === "object" && document !== null ? (document as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(list)) return keys;
  for (const jwk of list as unknown[]) {
    if (typeof jwk !== "object" || jwk === null) continue;
    const { kty, kid, n, e, use, alg } = jwk as Record<string, unknown>;
    if (kty !== "RSA" || typeof kid !== "string" || kid === "" || typeof n !== "string" || typeof e !== "string") continue;
    if ((use !== undefined && use !== "sig") || (alg !== undefined && alg !== "RS256")) continue;
    if (keys.has(kid)) continue;
    try {
      // Only the public members: a private JWK pasted into configuration must not become a signing key.
      const key = await importJWK({ kty: "RSA", n, e }, "RS256");
      if (!(key instanceof Uint8Array)) keys.set(kid, key);
    } catch {
      // A key we cannot import cannot verify anything; the rest of the set is still good.
    }
  }
  return keys;
}
