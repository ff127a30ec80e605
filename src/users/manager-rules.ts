// Which TeleMessage company manager a user is stored under (the `manager` column, sent to the core), and
// which Entra app may change that. Pure: the record's managers and the request's manager URL come in.
//
// Two rules carry the weight (docs/entra-setup.md, "Several managers"):
// - displayName is checked against the managers only when a request sets it to a new value. A user whose
//   stored manager was since renamed, removed or outnumbered can still be disabled, enabled, deleted and
//   changed: leavers always leave (issue 12 §1).
// - Under a manager's own Tenant URL (app X), a user stored under another manager is X's only when X
//   claims it by setting displayName to X's name; anything else X sends for it changes nothing (§2).
import { because, invalidValue } from "../scim/scim-error.ts";
import { activeManagers, managerKey, managerNamed, type Manager } from "../tenants/managers.ts";

/** What the request log records about a write, besides its user and event (never names or numbers). */
export type WriteNotes = {
  /** The user's stored manager is not an active manager of the record (renamed, removed, unknown). */
  managerUnlisted?: true;
  /** A deactivating update named an unlisted manager; it was applied with the stored displayName. */
  displayNameIgnored?: true;
  /** App X wrote to a user of another manager without claiming it: nothing changed. */
  ignoredForeignManager?: true;
  /** App X claimed a user stored under another manager. */
  managerClaimed?: true;
  /** ...and X held the user before that manager did: the user is in the scope of both apps. */
  managerFlip?: true;
};

/** The record's managers (undefined: any displayName) and the manager whose Tenant URL was called. */
export type ManagerScope = { managers: readonly Manager[] | undefined; app: Manager | undefined };

/** Why an assignment was refused, as the tenant's activity records it (the doctor reads it; issue 14 §2). */
export type RefusalReason = "manager_required" | "manager_retired" | "wrong_manager_for_app" | "unknown_manager";

export type Assignment =
  | { ok: true; manager: string | null; unlisted: boolean }
  | { ok: false; detail: string; reason: RefusalReason; sent?: string };

const assigned = (manager: string | null, unlisted = false): Assignment => ({ ok: true, manager, unlisted });
const refused = (detail: string, reason: RefusalReason, sent?: string): Assignment => ({ ok: false, detail, reason, ...(sent === undefined ? {} : { sent }) });

/** The SCIM error of a refused assignment, noting its reason and the displayName sent. */
export const assignmentError = (failure: { detail: string; reason: RefusalReason; sent?: string }) =>
  because(invalidValue(failure.detail), failure.reason, failure.sent);

const REQUIRED =
  "displayName is required: map it to the constant name of the user's TeleMessage company manager, exactly as your TeleMessage account manager gave it.";
const RETIRED =
  "The manager of this Tenant URL was removed from this tenant's TeleMessage account: its app can still look users up, disable and delete them, but not create users or assign users to it. Ask your TeleMessage account manager for the current Tenant URL.";

const notAManager = (managers: readonly Manager[]) => {
  const count = activeManagers(managers).length;
  return `displayName does not name a TeleMessage company manager of this account. Use the exact manager name your TeleMessage account manager gave you (${count} ${count === 1 ? "name is" : "names are"} registered).`;
};

const wrongForApp = (app: Manager) =>
  `This Tenant URL belongs to the TeleMessage company manager "${app.name}": map displayName to the constant "${app.name}" (or leave it out). To assign users to another manager, use that manager's own Tenant URL.`;

/** A displayName as a name: a non-blank string, else absent. */
const nameOf = (value: unknown): string | undefined => (typeof value === "string" && value.trim() ? value : undefined);

/** Whether two displayNames are the same manager name as written (ignoring case and surrounding space). */
export const sameName = (a: unknown, b: unknown): boolean => {
  const left = nameOf(a);
  const right = nameOf(b);
  return left === undefined || right === undefined ? left === right : managerKey(left) === managerKey(right);
};

/** The manager a stored user belongs to, by its manager column; retired managers included. */
export function ownerOf(storedManager: string | null, managers: readonly Manager[] | undefined): Manager | undefined {
  return managers && storedManager !== null ? managerNamed(managers, storedManager) : undefined;
}

/** Whether `displayName` names `app` (its name or an alias). */
export const namesManager = (displayName: unknown, managers: readonly Manager[] | undefined, app: Manager): boolean => {
  const name = nameOf(displayName);
  return name !== undefined && managers !== undefined && managerNamed(managers, name)?.key === app.key;
};

/** The manager of a new user, or of an update that sets displayName to a new value. */
export function assignManager(displayName: unknown, { managers, app }: ManagerScope): Assignment {
  const name = nameOf(displayName);
  if (app) {
    if (app.retired) return refused(RETIRED, "manager_retired");
    return name === undefined || namesManager(name, managers, app) ? assigned(app.name) : refused(wrongForApp(app), "wrong_manager_for_app", name);
  }
  if (!managers) return assigned(name?.trim() ?? null);
  const active = activeManagers(managers);
  if (name === undefined) {
    const [only] = active;
    return active.length === 1 && only ? assigned(only.name) : refused(REQUIRED, "manager_required");
  }
  const manager = managerNamed(managers, name);
  return manager && !manager.retired ? assigned(manager.name) : refused(notAManager(managers), "unknown_manager", name);
}

/**
 * The manager of an updated user. An unchanged displayName is not judged again: the user keeps its stored
 * manager (in the record's current spelling when it still resolves, an alias becoming the name it stands
 * for), and is flagged when that manager is no longer an active one.
 */
export function assignOnUpdate(
  displayName: unknown,
  stored: { displayName: unknown; manager: string | null },
  scope: ManagerScope,
): Assignment {
  if (!sameName(displayName, stored.displayName)) return assignManager(displayName, scope);
  return keepStored(stored.manager, scope.managers);
}

/** The stored manager kept as it is, flagged when it is no longer an active manager of the record. */
export function keepStored(storedManager: string | null, managers: readonly Manager[] | undefined): Assignment {
  if (!managers) return assigned(storedManager);
  const owner = ownerOf(storedManager, managers);
  return assigned(owner?.name ?? storedManager, !owner || owner.retired);
}
