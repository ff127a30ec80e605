// Who may call /Users and /Groups: a bearer token that is either Entra's own provisioning JWT or a
// TeleMessage secret token, whose tenant is on the KV allow-list and enabled. The token's audience is
// shared by every non-gallery app of every tenant, so the allow-list is the real authorisation.
// Token failures all answer one generic 401; the precise reason is kept for the request log only.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import { readConfig, type Config } from "../config.ts";
import { forbidden, unauthorized } from "../scim/errors.ts";
import { verifyEntraToken } from "./entra-token.ts";
import { createKeySource, type KeySource } from "./jwks-cache.ts";
import { looksLikeJwt, parseSecretToken, secretTokenMatches } from "./secret-token.ts";
import { lookupTenant } from "./tenant-lookup.ts";

export type RequireTenantOptions = {
  fetch?: typeof fetch;
  now?: () => number;
};

const NOT_APPROVED =
  "This Entra tenant is not approved for TeleMessage provisioning. Send your tenant ID (Entra admin center > Overview) to your TeleMessage account manager.";

export function requireTenant(options: RequireTenantOptions = {}) {
  const now = options.now ?? Date.now;
  // Module-lifetime key caches, one per key configuration, so JWKS fetches are shared across requests.
  const keySources = new Map<string, KeySource>();
  const keysFor = (config: Config): KeySource => {
    let source = keySources.get(config.keyConfigId);
    if (!source) {
      source = createKeySource({
        fetch: options.fetch ?? ((input, init) => fetch(input, init)),
        now,
        ...(config.trustedJwks ? { trustedJwks: config.trustedJwks } : {}),
      });
      keySources.set(config.keyConfigId, source);
    }
    return source;
  };

  return createMiddleware<AppEnv>(async (c, next) => {
    const refuse = (reason: string) => {
      c.set("authFailure", reason);
      return unauthorized();
    };
    const match = /^bearer +(\S+) *$/i.exec(c.req.header("authorization") ?? "");
    const token = match?.[1];
    if (!token) throw refuse("missing_token");

    let tenantId: string;
    if (looksLikeJwt(token)) {
      const config = readConfig(c.env);
      const result = await verifyEntraToken(token, { audiences: config.audiences, keys: keysFor(config), now });
      if (!result.ok) throw refuse(result.reason);
      tenantId = result.tenantId;
    } else {
      const parsed = parseSecretToken(token);
      if (!parsed) throw refuse("malformed");
      tenantId = parsed.tenantId;
    }

    c.set("tenantId", tenantId);
    const lookup = await lookupTenant(c.env.TENANTS, tenantId);
    if (!looksLikeJwt(token)) {
      // A secret token proves nothing until its hash matches the tenant's record; answer 401 either way.
      const hash = lookup.found ? lookup.record.secretTokenSha256 : undefined;
      if (!hash || !(await secretTokenMatches(token, hash))) throw refuse("secret_token_mismatch");
    }
    if (!lookup.found) {
      c.set("authFailure", lookup.reason);
      throw forbidden(NOT_APPROVED);
    }
    if (!lookup.record.enabled) {
      c.set("authFailure", "tenant_disabled");
      throw forbidden(NOT_APPROVED);
    }
    c.set("tenant", { tenantId, record: lookup.record });
    await next();
  });
}
