// Who may use the account managers' console: a request carrying a valid Cloudflare Access token for the
// console's Access application (Cf-Access-Jwt-Assertion, verified by access-token.ts against the team's
// certs). Cloudflare Access stands in front of the console's hostname and sets that header on every request
// it lets through; the Worker checks it anyway, so a request that reaches the Worker by any other way (a
// misconfigured route, a forged header) gets nowhere. One generic 403 for every refusal, the reason kept for
// the log; the team's certs that cannot be fetched are a 503, as Microsoft's are for SCIM.
import { createMiddleware } from "hono/factory";
import type { ConsoleEnv } from "../app-env.ts";
import type { Deps } from "../deps.ts";
import { readConsoleConfig } from "./access-config.ts";
import { accessCertsUrl, verifyAccessToken } from "./access-token.ts";
import { createKeySource, type KeySource } from "./signing-keys.ts";

export const ACCESS_HEADER = "Cf-Access-Jwt-Assertion";

export type RequireAccessOptions = {
  /** The keys to verify with; by default the team's certs, plus the development key locally. */
  keys?: KeySource;
};

export function requireAccess(deps: Pick<Deps, "fetch" | "now">, options: RequireAccessOptions = {}) {
  const now = () => deps.now().getTime();
  // One key source per configuration for the isolate's lifetime: the team's certs are fetched once, then on
  // an unknown kid at most once per cooldown (signing-keys.ts).
  const sources = new Map<string, KeySource>();
  return createMiddleware<ConsoleEnv>(async (c, next) => {
    const config = readConsoleConfig(c.env);
    if (!config.on) return c.text("Not found", 404);
    let keys = options.keys ?? sources.get(config.configId);
    if (!keys) {
      keys = createKeySource({
        fetch: deps.fetch,
        now,
        keysUrl: () => accessCertsUrl(config.teamDomain),
        ...(config.devJwks ? { trustedJwks: config.devJwks } : {}),
      });
      sources.set(config.configId, keys);
    }
    const result = await verifyAccessToken(c.req.header(ACCESS_HEADER), { teamDomain: config.teamDomain, audience: config.audience, keys, now });
    if (!result.ok) {
      c.set("accessFailure", result.reason);
      if (result.reason === "keys_unavailable") {
        return c.text("Cloudflare Access's keys cannot be fetched right now; try again in a minute.", 503, { "Retry-After": "60" });
      }
      return c.text("Forbidden: sign in through Cloudflare Access.", 403);
    }
    c.set("identity", result.identity);
    await next();
  });
}
