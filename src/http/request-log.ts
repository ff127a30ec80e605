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
        userId: c.get("userId"),
        eventId: c.get("eventId"),
        ...c.get("notes"),
        ...droppedFields(c.get("droppedAttributes")),
    });
  });

/** At most this many dropped names are logged, each at most this long; the rest are counted. */
const MAX_LOGGED_NAMES = 10;
/** A name holding this many digits could carry a phone number, however they are grouped: never logged. */
const MAX_DIGITS_IN_NAME = 5;
const MAX_NAME_LENGTH = 64;
/**
 * An attribute name as RFC 7643 §2.1 spells one (ATTRNAME, sub-attributes after dots, a URN before a colon).
 * Names are the tenant's text: one that is not shaped like that, or that holds five digits or more (they could
 * be part of a phone number, however grouped), is logged as "(other)".
 */
const LOGGABLE_NAME = /^[A-Za-z$][\w$.:-]*$/;

export function droppedFields(names: string[] | undefined): { droppedAttributes?: string[]; droppedAttributeCount?: number } {
  if (!names?.length) return {};
  // Digits are counted wherever they are: a run limit let "tel.4477.0090.0123" (a number split by dots) through.
  const loggable = (name: string) => name.length <= MAX_NAME_LENGTH && LOGGABLE_NAME.test(name) && (name.match(/\d/g)?.length ?? 0) < MAX_DIGITS_IN_NAME;
  return {
    droppedAttributes: names.slice(0, MAX_LOGGED_NAMES).map((name) => (loggable(name) ? name : "(other)")),
    droppedAttributeCount: names.length,
  };
}
