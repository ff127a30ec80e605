// Per-tenant rate limiting with the Workers Rate Limiting binding, keyed by the Entra tenant id (so one
// noisy tenant cannot starve the others). The limit lives in wrangler.toml ([[ratelimits]]), generous by
// default: never below what one Entra provisioning job sends. Over it: 429 with Retry-After, which Entra
// honours by backing off.
//
// Each call to the binding is a lease of REQUESTS_PER_LEASE requests: an isolate asks it once, then lets
// that many of the tenant's requests through on the strength of the one answer. The binding counts leases,
// not requests, and its name says so (TENANT_RATE_LIMIT_LEASES): `simple = { limit = 40 }` with 25
// requests per lease is 1,000 requests per period. Why: the call is the limiter's whole cost (on Miniflare
// it is a Durable Object write, and profiles showed it as the largest single cost of a cached request), and
// a lease keeps the count exact to within REQUESTS_PER_LEASE - 1 requests per isolate, unlike a free
// per-isolate allowance, which every extra isolate would multiply.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import type { Deps } from "../deps.ts";
import { ScimError } from "../scim/scim-error.ts";

/** The binding's shortest counting period; waiting it out always clears the limit. */
const RETRY_AFTER_SECONDS = 10;
/** Requests one lease (one successful binding call) lets through in this isolate. */
export const REQUESTS_PER_LEASE = 25;
/** After a refusal the isolate refuses the tenant itself for this long, so a flood costs no binding calls. */
const REFUSAL_MEMORY_MS = 1_000;
/** Tenants tracked per isolate; past it the map starts again, so this only bounds a flood of tenant ids. */
const MAX_TRACKED_TENANTS = 10_000;

export type TenantRateLimitOptions = { requestsPerLease?: number };

/**
 * `buying`: the one binding call in flight for the tenant; requests that find no lease left wait for it.
 * `unavailable`: the last call failed, so the lease in hand was granted without the binding's answer.
 */
type Lease = { remaining: number; refusedUntil: number; buying?: Promise<void>; unavailable?: boolean };

export function tenantRateLimit(deps: Pick<Deps, "now">, options: TenantRateLimitOptions = {}) {
  const now = () => deps.now().getTime();
  const requestsPerLease = Math.max(1, options.requestsPerLease ?? REQUESTS_PER_LEASE);
  let leases = new Map<string, Lease>();

  const buyLease = async (binding: RateLimit, tenantId: string, lease: Lease): Promise<void> => {
    try {
      const { success } = await binding.limit({ key: tenantId });
      lease.unavailable = false;
      if (success) lease.remaining += requestsPerLease;
      else lease.refusedUntil = now() + REFUSAL_MEMORY_MS;
    } catch {
      // The limiter is ours, not the tenant's: when its binding fails, the tenant's requests go through (one
      // lease at a time, so it is asked again soon) and each says so in its log line. Failing closed would
      // turn an outage of a safeguard into every tenant's outage (before, every request waiting on the failed
      // call answered 500).
      lease.unavailable = true;
      lease.remaining += requestsPerLease;
    } finally {
      lease.buying = undefined;
    }
  };

  return createMiddleware<AppEnv>(async (c, next) => {
    const refuse = () => {
      c.set("rateLimited", true);
      return new ScimError(429, undefined, "Too many requests for this tenant right now; Entra ID retries after the Retry-After delay.", {
        "Retry-After": String(RETRY_AFTER_SECONDS),
      });
    };
    const tenantId = c.get("tenant").tenantId;
    let lease = leases.get(tenantId);
    if (!lease) {
      if (leases.size >= MAX_TRACKED_TENANTS) leases = new Map();
      lease = { remaining: 0, refusedUntil: 0 };
      leases.set(tenantId, lease);
    }
    // One binding call at a time per tenant and isolate: each call counts as a whole lease, so a burst of
    // first requests each calling would spend the tenant's limit on leases nobody uses (an attack test saw
    // 100 simultaneous requests, a tenth of the limit, get 60 answers of 429). The others wait for the call
    // in flight and share what it bought.
    while (lease.remaining <= 0) {
      if (lease.refusedUntil > now()) throw refuse();
      lease.buying ??= buyLease(c.env.TENANT_RATE_LIMIT_LEASES, tenantId, lease);
      await lease.buying;
    }
    lease.remaining--;
    if (lease.unavailable) c.set("rateLimiterUnavailable", true);
    await next();
  });
}
