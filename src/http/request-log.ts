// One structured JSON line per request. Fields: requestId (also the X-Request-Id header), tenant (the
// Entra tenant GUID, not personal data), method, route (the route pattern, never the raw URL, which can
// carry a phone number in a filter), status, durationMs, and scimType/authFailure/storageError/rateLimited when set,
// and for a write userId and eventId (the change_events row and the core's Idempotency-Key; README, "Logs and
// tracing"), and the manager flags of app-env.ts LogNotes (docs/entra-setup.md). Never a phone number,
// e-mail, token or SQL.
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { AppEnv } from "../app-env.ts";

export type LogSink = (line: string) => void;

/** console.log is looked up per line, so whoever replaces it (a test, the bench's what-if) is heard. */
const consoleSink: LogSink = (line) => console.log(line);

export const requestLog = (sink: LogSink = consoleSink) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const started = Date.now();
    await next();
    const route = routePath(c, -1);
    sink(
      JSON.stringify({
        level: c.res.status >= 500 ? "error" : c.res.status >= 400 ? "warn" : "info",
        msg: "request",
        requestId: c.get("requestId"),
        tenant: c.get("tenantId"),
        method: c.req.method,
        route: route === "/*" || route === "*" ? "unmatched" : route,
        status: c.res.status,
        durationMs: Date.now() - started,
        scimType: c.get("scimType"),
        authFailure: c.get("authFailure"),
        storageError: c.get("storageError"),
        rateLimited: c.get("rateLimited"),
        userId: c.get("userId"),
        eventId: c.get("eventId"),
        ...c.get("notes"),
      }),
    );
  });
