// Per-tenant rate limiting with the Workers Rate Limiting binding, keyed by the Entra tenant id (so one
// noisy tenant cannot starve the others). The limit lives in wrangler.toml ([[ratelimits]]), generous by
// default: never below what one Entra provisioning job sends. Over it: 429 with Retry-After, which Entra
// honours by backing off.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import { ScimError } from "../scim/errors.ts";

/** The binding's shortest counting period; waiting it out always clears the limit. */
const RETRY_AFTER_SECONDS = 10;

export const tenantRateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const limiter = c.env.TENANT_RATE_LIMIT;
  const { success } = await limiter.limit({ key: c.var.tenant.tenantId });
  if (!success) {
    c.set("rateLimited", true);
    throw new ScimError(429, undefined, "Too many requests for this tenant right now; Entra ID retries after the Retry-After delay.", {
      "Retry-After": String(RETRY_AFTER_SECONDS),
    });
  }
  await next();
});
