// A manager's own Tenant URL, /scim/v2/managers/<key>: the customer's Entra app for that TeleMessage
// company manager calls it, so every write knows which app sent it (users/manager-rules.ts). The key comes
// from the tenant's allow-list record and never changes when the manager is renamed; a removed (retired)
// manager's key keeps resolving, so its app can still disable and delete its users.
//
// On the shared URL (/scim/v2) nothing changes, but a tenant with several active managers is flagged in the
// request log (sharedUrlMultiManager): its apps race each other on moves, and its account manager should
// give each app its own URL (docs/entra-setup.md, "Several managers").
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv, LogNotes } from "../app-env.ts";
import { notFound } from "../scim/scim-error.ts";
import { activeManagers, MANAGER_KEY_PATTERN, managersOf, managerWithKey } from "../tenants/managers.ts";

const NO_SUCH_MANAGER =
  "This Tenant URL names no TeleMessage company manager of your tenant. Copy each manager's Tenant URL exactly as your TeleMessage account manager gave it (https://<host>/scim/v2/managers/<key>).";
const NO_MANAGERS =
  "Your tenant has no TeleMessage company managers registered, so it has no per-manager Tenant URLs: use https://<host>/scim/v2.";

/** Adds to what the request log records about this request. */
export function addLogNotes(c: Context<AppEnv>, notes: LogNotes | undefined): void {
  if (notes && Object.keys(notes).length) c.set("notes", { ...c.get("notes"), ...notes });
}

/** The manager key in the URL, when the request came through a manager's Tenant URL. */
export const managerKeyOf = (c: Context): string | undefined => c.req.param("manager")?.toLowerCase();

/**
 * The Tenant URL the request came through: /scim/v2, or a manager's /scim/v2/managers/<key>. Locations and
 * discovery documents name it, so a manager's app keeps talking to its own URL.
 */
export const scimBaseUrl = (c: Context): string => {
  const key = managerKeyOf(c);
  return `${new URL(c.req.url).origin}/scim/v2${key === undefined ? "" : `/managers/${key}`}`;
};

/** Before anything else on a manager URL: a key that cannot be one is no endpoint at all. */
export const requireManagerKeyShape = createMiddleware<AppEnv>(async (c, next) => {
  const key = managerKeyOf(c);
  if (key !== undefined && !MANAGER_KEY_PATTERN.test(key)) throw notFound(NO_SUCH_MANAGER);
  await next();
});

/** After the tenant guard: resolves the manager of the URL into the request's tenant, or flags the shared URL. */
export const resolveManagerUrl = createMiddleware<AppEnv>(async (c, next) => {
  const tenant = c.get("tenant");
  const managers = managersOf(tenant.record);
  const key = managerKeyOf(c);
  if (key === undefined) {
    if (managers && activeManagers(managers).length > 1) addLogNotes(c, { sharedUrlMultiManager: true });
  } else {
    if (!managers) throw notFound(NO_MANAGERS);
    const app = managerWithKey(managers, key);
    if (!app) throw notFound(NO_SUCH_MANAGER);
    c.set("tenant", { ...tenant, app });
  }
  await next();
});
