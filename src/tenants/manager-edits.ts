// How the account managers' commands change a tenant's manager list. Pure: the current list in, the new
// list (always as entries with keys, managers.ts) and what happened out; commands.ts validates and stores.
//
// - A key is made once, from the name, and never changes: it is in the Tenant URL a customer's app calls.
// - Removing a manager retires it (its key keeps resolving for lookups, disables and deletes); adding the
//   same name again brings it back with its key.
// - Renaming keeps the key and the old name as an alias, until --remove-alias: each customer app sends its
//   old constant until its admin changes it.
import { asEntries, managerKey, managerKeyFor, uniqueKey, type ManagerEntry, type ManagerList } from "./managers.ts";

export type ManagerRename = { from: string; to: string };

export type ManagerEdit = {
  /** Replaces the list (names not in it are retired); `null` drops the list (any displayName). */
  replace?: string[] | null;
  add?: string[];
  remove?: string[];
  rename?: ManagerRename[];
  removeAliases?: string[];
};

/** Names (with aliases) whose users the command should count or move in D1. */
export type ManagerChange =
  | { kind: "retired"; key: string; names: string[] }
  | { kind: "renamed"; key: string; from: string[]; to: string };

export class ManagerEditError extends Error {}

export const isManagerEdit = (edit: ManagerEdit): boolean =>
  edit.replace !== undefined || [edit.add, edit.remove, edit.rename, edit.removeAliases].some((list) => list?.length);

/**
 * The list after `edit`, applied in this order: replace, add, remove, rename, remove aliases. `now` dates a
 * retirement. Throws ManagerEditError with a message for the account manager when the edit cannot apply.
 */
export function editManagers(
  current: ManagerList | undefined,
  edit: ManagerEdit,
  now: string,
): { managers: ManagerEntry[] | undefined; changes: ManagerChange[] } {
  if (edit.replace === null) return { managers: undefined, changes: [] };
  const entries = current ? asEntries(current) : [];
  const changes: ManagerChange[] = [];
  const find = (name: string) => entries.find((e) => allNames(e).some((n) => managerKey(n) === managerKey(name)));
  const findByName = (name: string) => entries.find((e) => managerKey(e.name) === managerKey(name));
  const retire = (entry: ManagerEntry) => {
    entry.retiredAt = now;
    changes.push({ kind: "retired", key: entry.key, names: allNames(entry) });
  };
  const add = (name: string) => {
    const existing = find(name);
    if (!existing) {
      const key = uniqueKey(managerKeyFor(name), new Set(entries.map((e) => e.key)));
      entries.push({ key, name: name.trim() });
    } else if (managerKey(existing.name) !== managerKey(name)) {
      throw new ManagerEditError(`"${name}" is a former name (alias) of "${existing.name}"; remove the alias with --remove-alias first.`);
    } else if (existing.retiredAt !== undefined) {
      delete existing.retiredAt;
    }
  };

  if (edit.replace) {
    const wanted = new Set(edit.replace.map(managerKey));
    for (const entry of entries) if (entry.retiredAt === undefined && !wanted.has(managerKey(entry.name))) retire(entry);
    for (const name of edit.replace) add(name);
  }
  for (const name of edit.add ?? []) add(name);

  const missing = (edit.remove ?? []).filter((name) => findByName(name)?.retiredAt !== undefined || !findByName(name));
  if (missing.length) throw new ManagerEditError(`Not a manager of this tenant: ${missing.map((m) => `"${m}"`).join(", ")}.`);
  for (const name of edit.remove ?? []) retire(findByName(name) as ManagerEntry);

  for (const { from, to } of edit.rename ?? []) changes.push(rename(entries, from, to));

  for (const alias of edit.removeAliases ?? []) {
    const entry = entries.find((e) => (e.aliases ?? []).some((a) => managerKey(a) === managerKey(alias)));
    if (!entry) throw new ManagerEditError(`"${alias}" is not a former name (alias) of any manager of this tenant.`);
    const aliases = (entry.aliases ?? []).filter((a) => managerKey(a) !== managerKey(alias));
    if (aliases.length) entry.aliases = aliases;
    else delete entry.aliases;
  }

  if (entries.length && entries.every((e) => e.retiredAt !== undefined)) {
    throw new ManagerEditError("That would leave no manager. Keep at least one, or pass --any-manager to accept any displayName.");
  }
  return { managers: entries.length ? entries : undefined, changes };
}

function rename(entries: ManagerEntry[], from: string, to: string): ManagerChange {
  const target = to.trim();
  if (!target) throw new ManagerEditError("A new manager name cannot be empty.");
  const entry = entries.find((e) => e.retiredAt === undefined && managerKey(e.name) === managerKey(from));
  // Again, after a rename that already happened (the D1 move may have been cut short): same result.
  const done = entries.find((e) => managerKey(e.name) === managerKey(target) && (e.aliases ?? []).some((a) => managerKey(a) === managerKey(from)));
  if (!entry) {
    if (done) return { kind: "renamed", key: done.key, from: allNames(done).filter((n) => managerKey(n) !== managerKey(target)), to: done.name };
    throw new ManagerEditError(`Not a manager of this tenant: "${from}".`);
  }
  const clash = entries.find((e) => e !== entry && allNames(e).some((n) => managerKey(n) === managerKey(target)));
  if (clash) throw new ManagerEditError(`"${target}" is already a name or former name of another manager ("${clash.name}").`);
  const previous = entry.name;
  const aliases = (entry.aliases ?? []).filter((a) => managerKey(a) !== managerKey(target));
  if (managerKey(previous) !== managerKey(target)) aliases.push(previous);
  entry.name = target;
  if (aliases.length) entry.aliases = aliases;
  else delete entry.aliases;
  return { kind: "renamed", key: entry.key, from: [previous, ...aliases.filter((a) => a !== previous)], to: target };
}

const allNames = (entry: ManagerEntry): string[] => [entry.name, ...(entry.aliases ?? [])];
