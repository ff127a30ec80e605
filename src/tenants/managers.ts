// The TeleMessage company managers of an allow-list record, and the key that names each one's Tenant URL
// (https://<host>/scim/v2/managers/<key>). No framework imports: the Worker and the CLI both use this.
//
// A record lists its managers as plain names (the original format, still read unchanged) or as entries:
//
//   "managers": ["Ann Manager", {"key": "bob-boss", "name": "Bob Boss", "aliases": ["Bob B"]},
//                {"key": "cy-chief", "name": "Cy Chief", "retiredAt": "2026-12-01T10:00:00.000Z"}]
//
// - key: short and stable; it never changes when the manager is renamed, because it is in the URL the
//   customer's Entra app calls. A plain name's key is derived from the name (managerKeyFor), in list order,
//   exactly as the CLI writes it when it turns the list into entries; so a URL given out for a plain-name
//   record keeps working after the upgrade.
// - aliases: former names, still accepted in displayName and stored as `name` (after a rename, each
//   customer app keeps sending the old constant until its admin changes it).
// - retiredAt: a removed manager. Its key still resolves, so its app can look users up, disable and
//   delete them (leavers must leave), but it can no longer create or claim users.
//
// Every name and alias is unique ignoring case and surrounding space, across all entries (retired too).
import * as z from "zod";

/** Names compare ignoring case and surrounding space (how an admin may type the manager's name). */
export const managerKey = (name: string): string => name.trim().toLowerCase();

export const MANAGER_KEY_MAX = 40;
/** Lower-case letters, digits and inner dashes: safe in a URL path as is, and easy to read aloud. */
export const MANAGER_KEY_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

const ManagerName = z.string().trim().min(1, "a manager name cannot be empty");

export const ManagerEntry = z
  .object({
    key: z.string().regex(MANAGER_KEY_PATTERN, `a manager key is 1 to ${MANAGER_KEY_MAX} lower-case letters, digits and inner dashes`),
    name: ManagerName,
    aliases: z.array(z.string().trim().min(1, "an alias cannot be empty")).min(1).optional(),
    retiredAt: z.string().optional(),
  })
  .strict();
export type ManagerEntry = z.infer<typeof ManagerEntry>;

/** One manager as the Worker and the CLI use it, whatever the record's spelling. */
export type Manager = { key: string; name: string; aliases: readonly string[]; retired: boolean };

export const ManagerList = z
  .array(z.union([ManagerName, ManagerEntry]))
  .min(1, "list at least one manager, or leave managers out to accept any name")
  .superRefine((list, ctx) => {
    const managers = toManagers(list);
    const names = managers.flatMap((m) => [m.name, ...m.aliases].map(managerKey));
    if (new Set(names).size !== names.length) ctx.addIssue({ code: "custom", message: "manager names must be unique" });
    if (new Set(managers.map((m) => m.key)).size !== managers.length) ctx.addIssue({ code: "custom", message: "manager keys must be unique" });
    if (!managers.some((m) => !m.retired)) ctx.addIssue({ code: "custom", message: "at least one manager must not be retired" });
  });
export type ManagerList = z.infer<typeof ManagerList>;

/**
 * The default key of a manager name: ASCII letters and digits, lower case, words joined by dashes
 * ("Ann Manager" -> "ann-manager", "Émile Zoë" -> "emile-zoe"); "manager" when nothing is left.
 */
export function managerKeyFor(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MANAGER_KEY_MAX - 4)
    .replace(/-+$/g, "");
  return slug || "manager";
}

/** `base`, or `base-2`, `base-3`... whichever `taken` does not hold yet. */
export function uniqueKey(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** The list as Managers: explicit keys first, then plain names' derived keys in list order. */
export function toManagers(list: readonly (string | ManagerEntry)[]): Manager[] {
  const taken = new Set(list.flatMap((m) => (typeof m === "string" ? [] : [m.key])));
  return list.map((m) => {
    if (typeof m !== "string") return { key: m.key, name: m.name, aliases: m.aliases ?? [], retired: m.retiredAt !== undefined };
    const key = uniqueKey(managerKeyFor(m), taken);
    taken.add(key);
    return { key, name: m, aliases: [], retired: false };
  });
}

/** A record's list as the CLI writes it: every manager an entry with its key (fresh copies, free to edit). */
export function asEntries(list: readonly (string | ManagerEntry)[]): ManagerEntry[] {
  const managers = toManagers(list);
  return list.map((m, i) => (typeof m === "string" ? { key: (managers[i] as Manager).key, name: m } : { ...m, ...(m.aliases ? { aliases: [...m.aliases] } : {}) }));
}

// Records are cached per isolate, so each one's managers are worked out once.
const cache = new WeakMap<object, readonly Manager[]>();

/** The record's managers, or undefined when it lists none (any displayName is accepted). */
export function managersOf(record: { managers?: readonly (string | ManagerEntry)[] | undefined }): readonly Manager[] | undefined {
  const list = record.managers;
  if (!list) return undefined;
  let managers = cache.get(list);
  if (!managers) {
    managers = toManagers(list);
    cache.set(list, managers);
  }
  return managers;
}

export const activeManagers = (managers: readonly Manager[]): Manager[] => managers.filter((m) => !m.retired);

/** The manager a name or alias belongs to, ignoring case and surrounding space; retired ones included. */
export function managerNamed(managers: readonly Manager[], name: string): Manager | undefined {
  const key = managerKey(name);
  return managers.find((m) => managerKey(m.name) === key || m.aliases.some((a) => managerKey(a) === key));
}

/** The manager whose Tenant URL has this key (case-insensitive); retired ones included. */
export function managerWithKey(managers: readonly Manager[], key: string): Manager | undefined {
  const wanted = key.toLowerCase();
  return managers.find((m) => m.key === wanted);
}
