// One structured JSON line per request. Fields: requestId (also the X-Request-Id header), tenant (the
// Entra tenant GUID, not personal data), method, route (the route pattern, never the raw URL, which can
// carry a phone number in a filter), status, durationMs, and scimType/authFailure/storageError/rateLimited when set,
// and for a write userId and eventId (the change_events row and the core's Idempotency-Key; README, "Logs and
// tracing"), droppedAttributes (the names of attributes left out by the size cap), and the manager flags
// of app-env.ts LogNotes (docs/entra-setup.md). Never a phone number,
// e-mail, token or SQL.
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { AppEnv } from "../app-env.ts";
import type { Deps } from "../deps.ts";
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from "../scim/uris.ts";

/** The line is written through the Worker's log (src/log.ts: a 4xx is filed as a warning, a 5xx as an error). */
export const requestLog = (deps: Pick<Deps, "now" | "log">) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const started = deps.now().getTime();
    await next();
    const route = routePath(c, -1);
    deps.log({
        level: c.res.status >= 500 ? "error" : c.res.status >= 400 ? "warn" : "info",
        msg: "request",
        requestId: c.get("requestId"),
        tenant: c.get("tenantId"),
        method: c.req.method,
        route: route === "/*" || route === "*" ? "unmatched" : route,
        status: c.res.status,
        durationMs: deps.now().getTime() - started,
        scimType: c.get("scimType"),
        authFailure: c.get("authFailure"),
        storageError: c.get("storageError"),
        rateLimited: c.get("rateLimited"),
        rateLimiterUnavailable: c.get("rateLimiterUnavailable"),
        userId: c.get("userId"),
        eventId: c.get("eventId"),
        ...c.get("notes"),
        ...droppedFields(c.get("droppedAttributes")),
    });
  });

/** At most this many dropped names are logged, each at most this long; the rest are counted. */
const MAX_LOGGED_NAMES = 10;
const MAX_NAME_LENGTH = 64;
/**
 * A dropped name is the tenant's own text, so only a name shaped like a plain attribute name (RFC 7643 §2.1
 * ATTRNAME, at most one sub-attribute after a dot), after a schema URN this gateway knows, is logged; any
 * other is "(other)". No digit at all: a number cut into pieces of four, one piece per name, came through a
 * per-name digit count whole (a second attack on H9). At most one dot: "ann.lee.contoso.example" is an e-mail
 * address with its "@" written as a dot.
 */
const PLAIN_NAME = /^[A-Za-z$][A-Za-z$_-]*(?:\.[A-Za-z$][A-Za-z$_-]*)?$/;
const KNOWN_URNS = [`${USER_SCHEMA}:`, `${ENTERPRISE_USER_SCHEMA}:`];

function loggable(name: string): boolean {
  if (KNOWN_URNS.includes(`${name}:`)) return true; // a whole extension
  const urn = KNOWN_URNS.find((prefix) => name.startsWith(prefix));
  return name.length <= MAX_NAME_LENGTH + (urn?.length ?? 0) && PLAIN_NAME.test(urn === undefined ? name : name.slice(urn.length));
}

export function droppedFields(names: string[] | undefined): { droppedAttributes?: string[]; droppedAttributeCount?: number } {
  if (!names?.length) return {};
  return {
    droppedAttributes: names.slice(0, MAX_LOGGED_NAMES).map((name) => (loggable(name) ? name : "(other)")),
    droppedAttributeCount: names.length,
  };
}
