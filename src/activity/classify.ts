// A request as the activity counts it: its route kind (vocabulary.ts), from the method, the path and what the
// write did, and a refusal's text made fit to keep. Pure; runs once per request, so only string tests.
import type { ChangeType } from "../core-event.ts";
import { redactText } from "../outbox/mask.ts";
import { guidPatternSource } from "../tenants/record.ts";
import type { RouteKind } from "./vocabulary.ts";

/**
 * Entra's probe: Test Connection, and the start of each cycle, look up a userName that is a random GUID
 * (test/fixtures/entra/test-connection.json). Anchored, no nested repetition: linear in the filter's length.
 */
const PROBE_FILTER = new RegExp(`^\\s*userName\\s+eq\\s+"${guidPatternSource(true)}"\\s*$`, "i");

export const isProbeFilter = (filter: string | undefined): boolean => filter !== undefined && filter.length < 200 && PROBE_FILTER.test(filter);

/**
 * The kind of a request behind the tenant guard. `path` is the URL's path (/scim/v2/Users/<id>, or under a
 * manager's /scim/v2/managers/<key>/...); `changeType` the event a write recorded, if any: a PATCH or PUT
 * that deactivated the user is a "disable", any other (refused ones included) an "update".
 */
export function routeKindOf(method: string, path: string, filter: string | undefined, changeType: ChangeType | undefined): RouteKind {
  const trimmed = path.endsWith("/") ? path.slice(0, -1) : path;
  const cut = trimmed.lastIndexOf("/");
  const last = trimmed.slice(cut + 1);
  const collection = last === "Users";
  const item = !collection && trimmed.slice(0, cut).endsWith("/Users");
  if (collection) {
    if (method === "GET") return isProbeFilter(filter) ? "probe" : "lookup";
    if (method === "POST") return "create";
  } else if (item) {
    if (method === "GET") return "lookup";
    if (method === "PATCH" || method === "PUT") return changeType === "user.deactivated" ? "disable" : "update";
    if (method === "DELETE") return "delete";
  }
  return "other";
}

/**
 * Characters a terminal or a text view acts on rather than shows: C0/C1 controls (ESC starts the sequences
 * that clear a screen, set a window title or write hyperlinks), zero-width and bidirectional overrides
 * (which make "Ann Manager" display while other bytes are there). Whitespace controls are not here:
 * redactText collapses them to one space.
 */
const UNPRINTABLE = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069]/g;

/**
 * Text a hostile tenant chose, made safe to print on an account manager's terminal (`tenants activity`,
 * `doctor`): each unprintable character written out as its \uXXXX escape, so it is visible, not acted on.
 */
export const escapeUnprintable = (text: string): string =>
  text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** A refusal's detail as kept: phone numbers and e-mails masked (outbox/mask.ts), space collapsed, unprintable characters escaped, bounded. */
export const MAX_DETAIL_LENGTH = 400;
/** What the request sent that a refusal is about (a displayName), as kept. */
export const MAX_SENT_LENGTH = 64;

/**
 * Text cut to a few times what is kept before it is redacted, so masking costs no more than that; a
 * number-like run at the cut is dropped rather than kept half unmasked.
 */
function redacted(text: string, max: number): string {
  if (text.length <= 4 * max) return redactText(escapeUnprintable(text), max);
  let end = 4 * max;
  while (end > 0 && NUMBER_CHARACTER.test(text.charAt(end - 1))) end--;
  return redactText(escapeUnprintable(`${text.slice(0, end)}…`), max);
}

const NUMBER_CHARACTER = /[\d\s().+-]/;

export const keptDetail = (detail: string): string => redacted(detail, MAX_DETAIL_LENGTH);
export const keptSent = (sent: string | undefined): string | null => (sent === undefined ? null : redacted(sent, MAX_SENT_LENGTH));
