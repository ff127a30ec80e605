// `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): narrow what a response shows.
// "id", "schemas" and "meta.resourceType"-style always-returned attributes survive both; names are
// case-insensitive and may be URN-qualified. Unknown names are ignored rather than rejected, as the RFC
// leaves that open and an error here would fail a sync for no gain.
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from "./uris.ts";

const ALWAYS_RETURNED = new Set(["id", "schemas"]);

type Selection = { include?: string[][]; exclude?: string[][] };

export function parseAttributeSelection(attributes?: string, excludedAttributes?: string): Selection {
  const split = (list?: string) =>
    list
      ?.split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map(toPath);
  const include = split(attributes);
  const exclude = split(excludedAttributes);
  return { ...(include?.length ? { include } : {}), ...(exclude?.length ? { exclude } : {}) };
}

/** "urn:...:User:name.givenName" -> ["name", "givenname"]; enterprise attributes keep their URN key. */
function toPath(name: string): string[] {
  const lower = name.toLowerCase();
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
    const lower = key.toLowerCase();
    if (ALWAYS_RETURNED.has(lower)) {
      out[key] = value;
      continue;
    }
    const kept = keep(lower, value, selection);
    if (kept !== undefined) out[key] = kept;
  }
  return out;
}

function keep(key: string, value: unknown, { include, exclude }: Selection): unknown {
  if (exclude?.some((p) => p.length === 1 && p[0] === key)) return undefined;
  const subExcludes = exclude?.filter((p) => p.length > 1 && p[0] === key).map((p) => p.slice(1));
  if (include) {
    const wanted = include.filter((p) => p[0] === key);
    if (wanted.length === 0) return undefined;
    const subIncludes = wanted.some((p) => p.length === 1) ? undefined : wanted.map((p) => p.slice(1));
    return narrow(value, subIncludes, subExcludes);
  }
  return narrow(value, undefined, subExcludes);
}

function narrow(value: unknown, include?: string[][], exclude?: string[][]): unknown {
  if (!include && !exclude?.length) return value;
  if (Array.isArray(value)) return value.map((v) => narrow(v, include, exclude));
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const kept = keep(k.toLowerCase(), v, { ...(include ? { include } : {}), ...(exclude ? { exclude } : {}) });
    if (kept !== undefined) out[k] = kept;
  }
  return out;
}
