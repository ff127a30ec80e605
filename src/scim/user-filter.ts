// The filters we answer on GET /Users (RFC 7644 §3.4.2.2). Entra ID only ever asks "does this user exist?"
// (`userName eq "..."`, sometimes `externalId eq "..."` or `id eq "..."`), so we support exactly that: a
// conjunction of `eq` comparisons on those three attributes, each served by an index. Everything else is
// rejected with `invalidFilter` rather than answered wrongly or slowly: `displayName` and `active` were
// answered until issue 11 §3 found each such filter scanning the whole tenant (161 ms at 100,000 users,
// against 17 ms for userName), a cost any tenant could impose on the shared database at will. Values are returned as written; canonicalising a mobile number is the caller's job
// (mobileForLookup), because a value that is not a number is not an error here, it just matches nothing.
import { parse } from "scim2-parse-filter";
import type { Filter } from "scim2-parse-filter";
import { invalidFilter } from "./scim-error.ts";
import { filterTextProblem } from "./filter-text.ts";

export type FilterAttribute = "userName" | "externalId" | "id";
export type UserCriterion = { attribute: FilterAttribute; value: string | boolean | null };

export const MAX_FILTER_LENGTH = 1_000;
export const MAX_FILTER_CRITERIA = 10;

const SUPPORTED = "Only 'eq' on userName, externalId or id, combined with 'and', is supported";
/** Attributes a client might reasonably filter on that are refused for their cost, with a reason to say so. */
const UNINDEXED = new Set(["displayname", "active"]);
const CORE_USER_URN = "urn:ietf:params:scim:schemas:core:2.0:user:";
/** RFC 7643 §2.1: attribute names are case-insensitive; keys are lower case, values the canonical spelling. */
const FILTERABLE: ReadonlyMap<string, FilterAttribute> = new Map(
  (["userName", "externalId", "id"] as const).map((name) => [name.toLowerCase(), name]),
);
/** A bare JSON-style number as written, with a leading "+" tolerated for phone numbers sent URL-encoded. */
const BARE_NUMBER = /^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** RFC 5234 §2.3: the ABNF literals "true", "false" and "null" of RFC 7644 §3.4.2.2 are case-insensitive. */
const BARE_LITERAL = /^(?:true|false|null)$/i;

/**
 * Parses a `filter` query parameter (already URL-decoded by the HTTP layer) into its criteria, all of which
 * must hold. Throws `invalidFilter` for anything outside the supported subset.
 */
export function parseUserFilter(filter: string): UserCriterion[] {
  if (filter.length > MAX_FILTER_LENGTH) {
    throw invalidFilter(`The filter is longer than ${MAX_FILTER_LENGTH} characters. ${SUPPORTED}.`);
  }
  if (filter.trim() === "") throw invalidFilter(`The filter is empty. ${SUPPORTED}.`);
  // Before the parser: its quoted-string pattern backtracks exponentially on line feeds (filter-text.ts).
  const problem = filterTextProblem(filter);
  if (problem) throw invalidFilter(`The filter ${problem}. ${SUPPORTED}.`);
  const prepared = quoteBareValues(filter);
  let ast: Filter;
  try {
    ast = parse(prepared);
  } catch {
    // The parser's message quotes the offending token, which may be a phone number: keep it out.
    throw invalidFilter(`The filter is not valid SCIM filter syntax (RFC 7644 §3.4.2.2). ${SUPPORTED}.`);
  }
  const criteria: UserCriterion[] = [];
  collect(ast, criteria);
  if (criteria.length > MAX_FILTER_CRITERIA) {
    throw invalidFilter(`The filter has more than ${MAX_FILTER_CRITERIA} comparisons. ${SUPPORTED}.`);
  }
  return criteria;
}

function collect(node: Filter, into: UserCriterion[]): void {
  switch (node.op) {
    case "and":
      if ("filters" in node) for (const child of node.filters) collect(child, into);
      return;
    case "eq":
      if ("compValue" in node) {
        into.push({ attribute: filterAttribute(node.attrPath), value: criterionValue(node.compValue) });
        return;
      }
      break;
    case "[]":
      throw invalidFilter(`Value paths such as emails[type eq "work"] are not supported. ${SUPPORTED}.`);
    case "or":
    case "not":
      throw invalidFilter(`The '${node.op}' operator is not supported. ${SUPPORTED}.`);
  }
  throw invalidFilter(`The '${node.op}' operator is not supported. ${SUPPORTED}.`);
}

function filterAttribute(attrPath: string): FilterAttribute {
  const lower = attrPath.toLowerCase();
  const name = lower.startsWith(CORE_USER_URN) ? lower.slice(CORE_USER_URN.length) : lower;
  const attribute = FILTERABLE.get(name);
  if (attribute === undefined && UNINDEXED.has(name)) {
    throw invalidFilter(`Filtering on ${name === "active" ? "active" : "displayName"} is not supported: it would read every user of the tenant. Entra ID matches users on userName. ${SUPPORTED}.`);
  }
  if (attribute === undefined) throw invalidFilter(`The filter names an attribute that cannot be filtered on. ${SUPPORTED}.`);
  return attribute;
}

function criterionValue(value: string | number | boolean | null): string | boolean | null {
  // Bare numbers are quoted before parsing (quoteBareValues), so a number here would be a parser change;
  // String() keeps the contract rather than leaking a JS number.
  return typeof value === "number" ? String(value) : value;
}

/**
 * The parser turns an unquoted value into a JS number, which would drop leading zeros, rewrite exponents
 * and lose digits beyond 2^53: `userName eq 11234567890` must yield the string "11234567890" exactly as
 * written. So bare numbers are quoted before parsing, and bare true/false/null are lower-cased. Quoted
 * strings, with their escapes, are copied untouched.
 */
function quoteBareValues(filter: string): string {
  let out = "";
  let i = 0;
  while (i < filter.length) {
    const c = filter[i] as string;
    if (c === '"') {
      const end = closingQuote(filter, i);
      out += filter.slice(i, end + 1);
      i = end + 1;
    } else if (/[\s()[\]]/.test(c)) {
      out += c;
      i++;
    } else {
      let end = i;
      while (end < filter.length && !/[\s()[\]"]/.test(filter[end] as string)) end++;
      const word = filter.slice(i, end);
      out += BARE_NUMBER.test(word) ? `"${word}"` : BARE_LITERAL.test(word) ? word.toLowerCase() : word;
      i = end;
    }
  }
  return out;
}

/** Index of the quote closing the string that opens at `start`; a backslash escapes the next character. */
function closingQuote(filter: string, start: number): number {
  for (let i = start + 1; i < filter.length; i++) {
    if (filter[i] === "\\") i++;
    else if (filter[i] === '"') return i;
  }
  throw invalidFilter(`The filter has an unterminated quoted string. ${SUPPORTED}.`);
}
