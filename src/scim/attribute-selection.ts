// `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): narrow what a response shows.
// "id" and "schemas" survive both; names are case-insensitive and may be URN-qualified. Unknown names are
// ignored rather than rejected, as the RFC leaves that open and an error here would fail a sync for no gain.
//
// Each list is parsed once into a tree of lower-cased names (duplicates fold into one branch), so showing a
// resource costs one map lookup per attribute, whatever the lists hold. Comparing each attribute with each
// listed name instead made a page cost users x attributes x names: an attack test held the isolate for
// seconds with an 8 KB list of 4,000 names. The lists are bounded as well.
import { invalidValue } from "./scim-error.ts";
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from "./uris.ts";

/** Distinct names a list may hold; Entra sends one or two ("members", "emails.display"). */
export const MAX_SELECTED_ATTRIBUTES = 100;

const ALWAYS_RETURNED = new Set(["id", "schemas"]);

/** A node of a list's tree: `whole` when the name up to here was listed itself. */
type Node = { whole: boolean; children: Map<string, Node> };
export type Selection = { include?: Node; exclude?: Node };

export function parseAttributeSelection(attributes?: string, excludedAttributes?: string): Selection {
  const include = treeOf("attributes", attributes);
  const exclude = treeOf("excludedAttributes", excludedAttributes);
  return { ...(include ? { include } : {}), ...(exclude ? { exclude } : {}) };
}

function treeOf(parameter: string, list: string | undefined): Node | undefined {
  const names = new Set(
    (list ?? "")
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  if (names.size === 0) return undefined;
  if (names.size > MAX_SELECTED_ATTRIBUTES) {
    throw invalidValue(`'${parameter}' names more than ${MAX_SELECTED_ATTRIBUTES} attributes; list only the attributes you need.`);
  }
  const root: Node = { whole: false, children: new Map() };
  for (const name of names) {
    let node = root;
    for (const part of toPath(name)) {
      let child = node.children.get(part);
      if (!child) {
        child = { whole: false, children: new Map() };
        node.children.set(part, child);
      }
      node = child;
    }
    node.whole = true;
  }
  return root;
}

/** "urn:...:user:name.givenname" -> ["name", "givenname"]; enterprise attributes keep their URN key. */
function toPath(lower: string): string[] {
  const core = USER_SCHEMA.toLowerCase() + ":";
  const enterprise = ENTERPRISE_USER_SCHEMA.toLowerCase();
  if (lower.startsWith(core)) return lower.slice(core.length).split(".");
  if (lower.startsWith(enterprise + ":")) return [enterprise, ...lower.slice(enterprise.length + 1).split(".")];
  if (lower === enterprise) return [enterprise];
  return lower.split(".");
}

export function selectAttributes(resource: Record<string, unknown>, selection: Selection): Record<string, unknown> {
  if (!selection.include && !selection.exclude) return resource;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    if (ALWAYS_RETURNED.has(key.toLowerCase())) {
      out[key] = value;
      continue;
    }
    const kept = keep(key, value, selection.include, selection.exclude);
    if (kept !== undefined) out[key] = kept;
  }
  return out;
}

/**
 * The value of `key` as shown under the include tree (undefined: no include list at this level) and the
 * exclude tree, or undefined when it is left out.
 */
function keep(key: string, value: unknown, include: Node | undefined, exclude: Node | undefined): unknown {
  const lower = key.toLowerCase();
  const excluded = exclude?.children.get(lower);
  if (excluded?.whole) return undefined;
  const subExclude = excluded && excluded.children.size > 0 ? excluded : undefined;
  if (!include) return narrow(value, undefined, subExclude);
  const wanted = include.children.get(lower);
  if (!wanted) return undefined;
  return narrow(value, wanted.whole ? undefined : wanted, subExclude);
}

function narrow(value: unknown, include: Node | undefined, exclude: Node | undefined): unknown {
  if (!include && !exclude) return value;
  if (Array.isArray(value)) return value.map((v) => narrow(v, include, exclude));
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const kept = keep(k, v, include, exclude);
    if (kept !== undefined) out[k] = kept;
  }
  return out;
}
