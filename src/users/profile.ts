// TeleMessage's attribute profile, applied to an accepted SCIM User: userName must be a possible mobile
// number in international format (its canonical digits are the uniqueness and matching key; with the
// tenant's own country codes when its record lists them), and displayName names a company manager from the
// tenant's allow-list record when the record lists them (manager-rules.ts decides which).
import { invalidValue } from "../scim/scim-error.ts";
import { canonicalMobile } from "./mobile-number.ts";
import { managersOf } from "../tenants/managers.ts";
import { assignManager, assignmentError } from "./manager-rules.ts";
import type { Tenant } from "./tenant.ts";

export type ProfileColumns = {
  userName: string;
  mobile: string;
  externalId: string | null;
  active: boolean;
  manager: string | null;
};

/**
 * The columns a User resource sets. `stored` is the user as stored before an update: an unchanged userName
 * keeps the number derived from it then (most of Entra's PATCHes leave userName alone, and parsing a
 * number against the numbering plans is the costliest step of a write; a number accepted before the
 * tenant's country codes were listed stays the user's). `manager` is the manager an update decided on
 * (manager-rules.ts); a create decides here.
 */
export function applyProfile(
  resource: Record<string, unknown>,
  tenant: Tenant,
  stored?: Pick<ProfileColumns, "userName" | "mobile">,
  manager?: string | null,
): ProfileColumns {
  const userName = resource.userName as string;
  return {
    userName,
    mobile: stored?.userName === userName ? stored.mobile : mobileOf(userName, tenant),
    externalId: typeof resource.externalId === "string" ? resource.externalId : null,
    // RFC 7643 §4.1.1 leaves a missing `active` to the provider; Entra omits it only for enabled users.
    active: resource.active !== false,
    manager: manager === undefined ? managerOfNewUser(resource.displayName, tenant) : manager,
  };
}

function mobileOf(userName: string, tenant: Tenant): string {
  const mobile = canonicalMobile(userName, tenant.record.callingCodes);
  if (!mobile.ok) throw invalidValue(`userName: ${mobile.detail}`);
  return mobile.mobile;
}

function managerOfNewUser(displayName: unknown, tenant: Tenant): string | null {
  const assignment = assignManager(displayName, { managers: managersOf(tenant.record), app: tenant.app });
  if (!assignment.ok) throw assignmentError(assignment);
  return assignment.manager;
}
