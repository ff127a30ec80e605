// The names a PATCH path or value key may carry (issue 11 §1). scim-patch walks a path with plain property
// access (`node[segment] || (node[segment] = {})`, then `node[last] = value`) and a value key with
// `key in node`, so a segment naming an inherited property ("hasOwnProperty.call", "toString.call") walks out
// of the resource into a built-in function and writes there, for every tenant the isolate serves. So every
// name is decided by what is allowed, before scim-patch sees anything:
//  - a name of the core or enterprise User schema, or of their sub-attributes, passes in any case: `name` is
//    one, although every function has a `name` too; a chain of schema names never leaves the JSON document,
//    since no schema name is inherited by a plain object, an array, a string, a number or a boolean;
//  - a name that an object, array, function, string, number or boolean has or inherits is refused in any
//    case; the set is read from the runtime's own prototypes, not listed by hand;
//  - any other name is an unknown attribute and is kept as before: Entra sends whatever mappings an admin
//    left in place, and a 400 there would fill its provisioning log.
// Two readings of every path and key, and a name must pass both:
//  - scim-patch's own: the keys it will walk and write, found with its own splitting rules (the last ":",
//    then its period pattern, then `name[filter]` taken at the LAST "[" of a segment), copied below from
//    scim-patch 0.8 (src/scimPatch.ts: resolvePaths, SPLIT_PERIOD, ARRAY_SEARCH). A reading of our own
//    missed that scim-patch takes the last "[": a quote opened after an earlier "[" hid `constructor.keys`;
//  - the runs of identifier characters outside quoted filter values: every inherited name is such a run, so
//    a name scim-patch might take as a segment under any other reading is still seen (a filter value such
//    as "call@contoso.example" is data, and stays allowed).
// Lengths are bounded as well: scim-patch splits paths and keys with a regular expression that is quadratic
// in their length.
import { filterTextProblem } from "./filter-text.ts";
import { SCHEMA_NAMES } from "./user-attributes.ts";

export const MAX_PATCH_PATH_LENGTH = 256;

/** Values a JSON document or scim-patch can reach: their own and inherited property names, in lower case. */
const SAMPLES: unknown[] = [{}, [], function sample() {}, "", 0, true];

export const INHERITED_NAMES: ReadonlySet<string> = new Set(
  SAMPLES.flatMap((sample) => {
    const names: string[] = [];
    for (let o: object | null = Object(sample) as object; o !== null; o = Object.getPrototypeOf(o) as object | null) {
      names.push(...Object.getOwnPropertyNames(o).map((name) => name.toLowerCase()));
    }
    return names;
  }),
);

/** [A-Za-z0-9_$]: every inherited name is made of these (a unit test checks it). */
const isNameChar = (code: number) =>
  (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 36;

/**
 * Why a PATCH path (or a path-less value key, which names a path: RFC 7644 §3.5.2.1) may not reach
 * scim-patch, or undefined. Quoted strings inside a value filter are data, not names: `emails[value eq
 * "call@contoso.example"]` is fine. (Should scim-patch split a path inside such a string, the segment holding
 * the "[" ends in an unterminated string, which the filter parser refuses before any later segment is walked.)
 */
export function pathProblem(path: string): string | undefined {
  if (path.length > MAX_PATCH_PATH_LENGTH) return `is longer than ${MAX_PATCH_PATH_LENGTH} characters`;
  const filterProblem = filterTextProblem(path);
  if (filterProblem) return filterProblem;
  return builtInProblem(walkedKeys(path, true)) ?? builtInProblem(namesIn(path, true));
}

/** Why a key inside a PATCH value (which scim-patch splits on "." and ":" and assigns) may not reach it. */
export function valueKeyProblem(key: string): string | undefined {
  if (key.length > MAX_PATCH_PATH_LENGTH) return `is longer than ${MAX_PATCH_PATH_LENGTH} characters`;
  return builtInProblem(walkedKeys(key, false)) ?? builtInProblem(namesIn(key, false));
}

// scim-patch 0.8's own patterns (src/scimPatch.ts), so that walkedKeys reads a path exactly as it does.
const SCIM_PATCH_SPLIT_PERIOD = /(?!\B"[^[]*)\.(?![^\]]*"\B)/g;
const SCIM_PATCH_IS_ARRAY_SEARCH = /(\[|\])/;
const SCIM_PATCH_ARRAY_SEARCH = /^(.+)\[(.+)\]$/;

/**
 * The property names scim-patch will read and write for a path (`asPath`) or a value key: its resolvePaths
 * (split at the last ":", then on its period pattern), and for a path each `name[filter]` segment's name as
 * its ARRAY_SEARCH takes it (the last "["), together with the attribute names the filter compares, which
 * it writes into a new item when nothing matches. A value key's segments are assigned as they are.
 */
function walkedKeys(text: string, asPath: boolean): string[] {
  const colon = text.lastIndexOf(":");
  const segments = colon < 0 ? text.split(SCIM_PATCH_SPLIT_PERIOD) : [text.slice(0, colon), ...text.slice(colon + 1).split(SCIM_PATCH_SPLIT_PERIOD)];
  if (!asPath) return segments;
  return segments.flatMap((segment) => {
    if (!SCIM_PATCH_IS_ARRAY_SEARCH.test(segment)) return [segment];
    const match = SCIM_PATCH_ARRAY_SEARCH.exec(segment);
    // No `name[filter]` shape: scim-patch refuses the segment rather than walk it.
    return match ? [match[1] ?? "", ...namesIn(`[${match[2] ?? ""}]`, true)] : [];
  });
}

/** Every key of a JSON value, at any depth, walked without recursion. */
export function* keysOf(value: unknown): Generator<string> {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
    } else if (typeof node === "object" && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        yield key;
        stack.push(child);
      }
    }
  }
}

function builtInProblem(names: string[]): string | undefined {
  const builtIn = names.find((name) => {
    const lower = name.trim().toLowerCase();
    return !SCHEMA_NAMES.has(lower) && INHERITED_NAMES.has(lower);
  });
  return builtIn === undefined
    ? undefined
    : `names "${builtIn}", a built-in property of JavaScript objects, not a User attribute; use the SCIM attribute names of RFC 7643 §4.1 (such as "name.givenName")`;
}

/** The runs of identifier characters in `text`; with `skipFilterStrings`, none inside a quoted string within brackets. */
function namesIn(text: string, skipFilterStrings: boolean): string[] {
  const names: string[] = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i] ?? "";
    if (i < text.length && isNameChar(text.charCodeAt(i))) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0) names.push(text.slice(start, i));
    start = -1;
    if (c === "[") depth++;
    else if (c === "]") depth = Math.max(0, depth - 1);
    else if (c === '"' && depth > 0 && skipFilterStrings) {
      const end = closingQuote(text, i);
      if (end > 0) i = end;
    }
  }
  return names;
}

/** The index of the quote closing the string opened at `start` (a backslash escapes one character), or -1. */
function closingQuote(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}
