// Records each tenant's requests (issue 14 §1) after the answer is settled: classified (activity/classify.ts),
// added to this isolate's aggregate (activity/recorder.ts), and written now and then after the response
// (waitUntil), one statement per flush, to the database that holds the tenant (deps.database). A failed
// write is logged and dropped: the activity is a view for people, never a reason to fail a SCIM request.
//
// Only requests whose tenant is proven are recorded: those the tenant guard let in, and those it refused
// because the verified tenant is disabled (403). A token that did not verify names a tenant anyone could
// type, so 401s are never counted against a tenant; nor is a tenant off the allow-list (it has no record).
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import type { Deps } from "../deps.ts";
import { keptDetail, keptSent, routeKindOf } from "../activity/classify.ts";
import { createRecorder, type ActivityEntry } from "../activity/recorder.ts";
import { writeActivity } from "../activity/store.ts";
import { outcomeOf } from "../activity/vocabulary.ts";
import { sqliteErrorClass } from "../db/storage-errors.ts";

export function recordActivity(deps: Pick<Deps, "now" | "log" | "database">) {
  const recorder = createRecorder();
  return createMiddleware<AppEnv>(async (c, next) => {
    await next();
    const tenant = c.get("tenant");
    const tenantId = tenant ? tenant.tenantId : c.get("authFailure") === "tenant_disabled" ? c.get("tenantId") : undefined;
    if (tenantId === undefined) return;

    const { status } = c.res;
    const scimType = c.get("scimType");
    const method = c.req.method;
    const kind = routeKindOf(method, c.req.path, method === "GET" ? c.req.query("filter") : undefined, c.get("changeType"));
    const outcome = outcomeOf(status, scimType);
    const entry: ActivityEntry = { tenantId, at: deps.now().getTime(), kind, outcome };
    if (status >= 400) {
      const refusal = c.get("refusal");
      const reason = refusal?.reason?.code ?? (c.get("rateLimited") ? "rate_limited" : status === 403 ? "tenant_disabled" : null);
      entry.refusal = {
        requestId: c.get("requestId"),
        status,
        scimType: scimType ?? null,
        reason,
        detail: keptDetail(refusal?.detail ?? ""),
        sent: keptSent(refusal?.reason?.sent),
      };
    }
    const db = deps.database(c.env, tenantId);
    const batch = recorder.record(db, entry);
    if (!batch) return;
    c.executionCtx.waitUntil(
      writeActivity(db, batch).catch((error: unknown) => {
        deps.log({ level: "warn", msg: "activity not recorded", requests: batch.requests, tenants: batch.tenants, storageError: sqliteErrorClass(error) });
      }),
    );
  });
}
