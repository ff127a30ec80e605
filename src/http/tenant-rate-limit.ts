// Per-tenant rate limiting with the Workers Rate Limiting binding, keyed by the Entra tenant id (so one
// noisy tenant cannot starve the others). The limit lives in wrangler.toml ([[ratelimits]]), generous by
// default: never below what one Entra provisioning job sends. Over it: 429 with Retry-After, which Entra
// honours by backing off.
//
// Each isolate first counts a tenant's requests in the current second itself: up to LOCAL_ALLOWANCE a
// second (Entra's own pace stays below it) no binding call is made, so normal provisioning never pays for
// the limiter; past it every request is counted by the binding, which sees the whole location.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import { ScimError } from "../scim/errors.ts";

/** The binding's shortest counting period; waiting it out always clears the limit. */
const RETRY_AFTER_SECONDS = 10;
/** Requests per tenant per second an isolate lets through without asking the binding. */
export const LOCAL_ALLOWANCE = 20;
/** Tenants tracked per isolate; the map is cleared each second, so this only bounds a flood of tenant ids. */
const MAX_TRACKED_TENANTS = 10_000;

export type TenantRateLimitOptions = { now?: () => number; localAllowance?: number };

export function tenantRateLimit(options: TenantRateLimitOptions = {}) {
  const now = options.now ?? Date.now;
  const allowance = options.localAllowance ?? LOCAL_ALLOWANCE;
  let second = -1;
  let counts = new Map<string, number>();

  return createMiddleware<AppEnv>(async (c, next) => {
    const tenantId = c.var.tenant.tenantId;
    const current = Math.floor(now() / 1000);
    if (current !== second || counts.size >= MAX_TRACKED_TENANTS) {
      second = current;
      counts = new Map();
    }
    const seen = (counts.get(tenantId) ?? 0) + 1;
    counts.set(tenantId, seen);
    if (seen > allowance) {
      const { success } = await c.env.TENANT_RATE_LIMIT.limit({ key: tenantId });
      if (!success) {
        c.set("rateLimited", true);
        throw new ScimError(429, undefined, "Too many requests for this tenant right now; Entra ID retries after the Retry-After delay.", {
          "Retry-After": String(RETRY_AFTER_SECONDS),
        });
      }
    }
    await next();
  });
}
