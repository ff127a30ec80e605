// Builds the Hono app from the Worker's Deps: request id, request log, tenant activity, body limit, SCIM
// content type, routes, one onError. Every route module and middleware that needs the outside world is a
// factory taking the Deps, so what they use is fixed when the app is built and checked by the compiler.
import { Hono } from "hono";
import { methodNotAllowed } from "hono/method-not-allowed";
import { requestId } from "hono/request-id";
import type { AppEnv } from "./app-env.ts";
import type { Deps } from "./deps.ts";
import { requireTenant, type RequireTenantOptions } from "./auth/require-tenant.ts";
import { limitBodySize } from "./http/body-limit.ts";
import { errorRenderer, renderNotFound } from "./http/error-response.ts";
import { requestLog } from "./http/request-log.ts";
import { recordActivity } from "./http/activity.ts";
import { requireManagerKeyShape, resolveManagerUrl } from "./http/manager-url.ts";
import { tenantRateLimit, type TenantRateLimitOptions } from "./http/tenant-rate-limit.ts";
import { discoveryRoutes } from "./routes/discovery.ts";
import { bulkAndMeRoutes, groupsRoutes } from "./routes/unsupported.ts";
import { usersRoutes } from "./routes/users.ts";
import { healthRoutes } from "./routes/health.ts";
import { methodNotAllowed as methodNotAllowedError } from "./scim/scim-error.ts";
import { SCIM_CONTENT_TYPE } from "./scim/uris.ts";

const REQUEST_ID_HEADER = "X-Request-Id";
/** The base of a manager's own Tenant URL: /scim/v2/managers/<key>. */
const MANAGER_BASE = "/scim/v2/managers/:manager";

export type AppOptions = { auth?: RequireTenantOptions; rateLimit?: TenantRateLimitOptions };

export function createApp(deps: Deps, options: AppOptions = {}) {
  const app = new Hono<AppEnv>({ strict: false });

  // The request id is ours, always: hono's middleware adopts a client's X-Request-Id by default, which
  // would let a caller choose the id our log lines and 500 details quote (and collide with another
  // request's). headerName "" makes it ignore the header; the response header is set from our id.
  app.use(requestId({ headerName: "" }), async (c, next) => {
    c.header(REQUEST_ID_HEADER, c.get("requestId"));
    await next();
  });
  app.use(requestLog(deps));
  // Each tenant's activity, recorded once the answer is settled (http/activity.ts).
  app.use(recordActivity(deps));
  // Every response is application/scim+json (RFC 7644 §3.1), including those of c.json().
  app.use(async (c, next) => {
    await next();
    if (c.res.headers.get("content-type")?.startsWith("application/json")) {
      c.res.headers.set("content-type", SCIM_CONTENT_TYPE);
    }
  });
  app.use(limitBodySize);
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (_c, allowed) => {
        throw methodNotAllowedError(`This endpoint accepts ${allowed.join(", ")}.`, allowed.join(", "));
      },
    }),
  );

  const scim = new Hono<AppEnv>({ strict: false });
  const tenantGuard = requireTenant(deps, options.auth);
  const rateLimit = tenantRateLimit(deps, options.rateLimit);
  // "/Users/*" also matches "/Users" itself, so each guard runs exactly once per request.
  for (const path of ["/Users/*", "/Groups/*"]) scim.use(path, tenantGuard, rateLimit, resolveManagerUrl);
  scim.route("/Users", usersRoutes(deps));
  scim.route("/Groups", groupsRoutes);
  scim.route("/", discoveryRoutes);
  scim.route("/", bulkAndMeRoutes);
  app.route("/scim/v2", scim);
  // Each manager's own Tenant URL serves every route of the shared one (http/manager-url.ts).
  app.use(`${MANAGER_BASE}/*`, requireManagerKeyShape);
  app.route(MANAGER_BASE, scim);
  app.route("/health", healthRoutes(deps));

  app.notFound(renderNotFound);
  app.onError(errorRenderer(deps));
  return app;
}
