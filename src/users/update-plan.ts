// What an update (PATCH or PUT) of a stored user does, before anything is written: nothing (another
// manager's user, or no change), or the resource and columns to store. Pure; write-user.ts runs it inside
// its version-checked retry loop, so every attempt decides on the user as it is then.
import type { UserRow } from "../db/schema.ts";
import { isSameResource } from "../scim/user-patch.ts";
import { managersOf } from "../tenants/managers.ts";
import { assignmentError, assignOnUpdate, keepStored, namesManager, ownerOf, type ManagerScope, type WriteNotes } from "./manager-rules.ts";
import { applyProfile, type ProfileColumns } from "./profile.ts";
import type { Tenant } from "./tenant.ts";

/** The requested change, applied to a stored resource (a PATCH's operations, or a PUT's whole body). */
export type ResourceChange = (stored: Record<string, unknown>) => Record<string, unknown>;

export type UpdatePlan =
  | { kind: "ignore"; notes: WriteNotes }
  | { kind: "unchanged"; notes: WriteNotes }
  | { kind: "write"; resource: Record<string, unknown>; columns: ProfileColumns; notes: WriteNotes; claimed: boolean };

export function planUpdate(current: UserRow, change: ResourceChange, tenant: Tenant): UpdatePlan {
  const scope: ManagerScope = { managers: managersOf(tenant.record), app: tenant.app };
  let resource = change(current.resource);
  let claimed = false;
  if (scope.app && ownerOf(current.manager, scope.managers)?.key !== scope.app.key) {
    // Another manager's user, seen through app X's Tenant URL. Only a claim (displayName set to X's name)
    // takes it over; anything else X sends (typically the disable after the user left X's scope, landing
    // after the new manager's app claimed it) must not undo the other app's work, and is not an error Entra
    // would retry: it changes nothing. A removed manager's app claims nothing.
    if (scope.app.retired || !namesManager(resource.displayName, scope.managers, scope.app)) {
      return { kind: "ignore", notes: { ignoredForeignManager: true } };
    }
    claimed = true;
    // A claiming app has the user in its scope, where the setup guide's mapping makes it active: so the
    // claim applies to the user as active, and only an explicit active=false in this request leaves it
    // disabled. Otherwise a disable from the app the user left, landing between this app's lookup and its
    // PATCH, would leave the user disabled under its new manager for good.
    if (!current.active) resource = change({ ...current.resource, active: true });
  }
  // A change that changes nothing writes nothing and emits no event (Entra re-sends unchanged values).
  if (isSameResource(resource, current.resource)) return { kind: "unchanged", notes: {} };

  const notes: WriteNotes = claimed ? { managerClaimed: true } : {};
  const stored = { displayName: current.resource.displayName, manager: current.manager };
  let assignment = assignOnUpdate(resource.displayName, stored, scope);
  if (!assignment.ok) {
    // Leavers always leave: an update that leaves the user inactive is never refused because of its
    // displayName. The rest of it applies and the unlisted name is dropped, the stored one kept. This
    // departs on purpose from PATCH atomicity (RFC 7644 §3.5.2: "the entire request is rejected"), because
    // refusing would keep a leaver active at TeleMessage while Entra retries for up to 28 days.
    if (resource.active !== false) throw assignmentError(assignment);
    resource = withDisplayName(resource, current.resource.displayName);
    notes.displayNameIgnored = true;
    assignment = keepStored(current.manager, scope.managers);
    if (isSameResource(resource, current.resource)) return { kind: "unchanged", notes };
  }
  if (assignment.ok && assignment.unlisted) notes.managerUnlisted = true;
  const manager = assignment.ok ? assignment.manager : current.manager;
  return { kind: "write", resource, columns: applyProfile(resource, tenant, current, manager), notes, claimed };
}

/** Notes for a write that needs no plan (a DELETE): whether the stored manager is still listed. */
export function storedManagerNotes(current: UserRow, tenant: Tenant): WriteNotes {
  const kept = keepStored(current.manager, managersOf(tenant.record));
  return kept.ok && kept.unlisted ? { managerUnlisted: true } : {};
}

/** Whether app X (the request's manager URL) may delete this user: it is X's, or there is no X. */
export function mayDelete(current: UserRow, tenant: Tenant): boolean {
  return !tenant.app || ownerOf(current.manager, managersOf(tenant.record))?.key === tenant.app.key;
}

function withDisplayName(resource: Record<string, unknown>, displayName: unknown): Record<string, unknown> {
  const copy = { ...resource };
  if (displayName === undefined) delete copy.displayName;
  else copy.displayName = displayName;
  return copy;
}
