// TeleMessage's attribute profile, applied to an accepted SCIM User: userName must be a possible mobile
// number in international format (its canonical digits are the uniqueness and matching key), and
// displayName names a company manager from the tenant's allow-list record when the record lists them.
import { invalidValue } from "../scim/errors.ts";
import { canonicalMobile } from "../scim/mobile.ts";
import { findManager } from "../tenants/record.ts";
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
 * number against the numbering plans is the costliest step of a write).
 */
export function applyProfile(
  resource: Record<string, unknown>,
  tenant: Tenant,
  stored?: Pick<ProfileColumns, "userName" | "mobile">,
): ProfileColumns {
  const userName = resource.userName as string;
  return {
    userName,
    mobile: stored?.userName === userName ? stored.mobile : mobileOf(userName),
    externalId: typeof resource.externalId === "string" ? resource.externalId : null,
    // RFC 7643 §4.1.1 leaves a missing `active` to the provider; Entra omits it only for enabled users.
    active: resource.active !== false,
    manager: resolveManager(resource.displayName, tenant),
  };
}

function mobileOf(userName: string): string {
  const mobile = canonicalMobile(userName);
  if (!mobile.ok) throw invalidValue(`userName: ${mobile.detail}`);
  return mobile.mobile;
}

function resolveManager(displayName: unknown, { record }: Tenant): string | null {
  const name = typeof displayName === "string" && displayName.trim() ? displayName : undefined;
  const managers = record.managers;
  if (!managers) return name?.trim() ?? null;
  if (name === undefined) {
    if (managers.length === 1) return managers[0] ?? null;
    throw invalidValue(
      "displayName is required: map it to the constant name of the user's TeleMessage company manager, exactly as your TeleMessage account manager gave it.",
    );
  }
  const manager = findManager(record, name);
  if (!manager) {
    throw invalidValue(
      `displayName does not name a TeleMessage company manager of this account. Use the exact manager name your TeleMessage account manager gave you (${managers.length} ${managers.length === 1 ? "name is" : "names are"} registered).`,
    );
  }
  return manager;
}
