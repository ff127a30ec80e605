// E-mails as the TeleMessage profile keeps them: at most one work e-mail, and no e-mail without an address.
// Applied to every User a write is about to store, after a PATCH and before validation (scim/user-schema.ts).
// A TeleMessage profile rule, not protocol (RFC 7643 §4.1.2 allows any number of e-mails of any type), so
// it lives in users/ with the rest of the profile.
//
// - Clearing: Entra clears the work e-mail with `Remove emails[type eq "work"].value` or by replacing that
//   value with "". Either leaves an e-mail without an address behind, which is no e-mail at all, so it
//   goes, and with it the work e-mail (RFC 7643 §2.5: an unassigned attribute has no value).
// - Upsert by type: a path-less `add` of `emails` appends (RFC 7644 §3.5.2.1: "a new value is added"), so
//   a new work address would sit beside the old one and the core would keep the old. The profile has one
//   work e-mail: the last one written wins.

/** The resource with e-mails normalised as above; anything that is not a User-shaped object is returned as is. */
export function normaliseEmails<T>(resource: T): T {
  if (!isPlainObject(resource) || !Array.isArray(resource.emails)) return resource;
  const kept = resource.emails.filter((item) => !isPlainObject(item) || !isBlank(item.value));
  const lastWork = kept.findLastIndex(isWork);
  const emails = kept.filter((item, index) => !isWork(item) || index === lastWork);
  if (emails.length === resource.emails.length) return resource;
  const copy: Record<string, unknown> = { ...resource };
  if (emails.length) copy.emails = emails;
  else delete copy.emails;
  return copy as T;
}

/**
 * Which of a user's e-mails is its work e-mail: the one the core receives (change-event.ts) and the one the
 * size cap always keeps (resource-cap.ts), decided here once so the two cannot disagree. The entry typed
 * "work" (any case, surrounding space aside); only when no entry has a type at all (a client that does not
 * type its e-mails) does the primary one, or else the first, stand in. -1 when there is none: a user whose
 * work e-mail was cleared but who keeps a typed other e-mail has none, and the core is told so (null).
 */
export function workEmailIndex(emails: readonly unknown[]): number {
  if (emails.some((item) => isPlainObject(item) && typeof item.type === "string")) return emails.findIndex(isWork);
  const primary = emails.findIndex((item) => isPlainObject(item) && item.primary === true);
  return primary >= 0 ? primary : emails.length > 0 ? 0 : -1;
}

/** The address of the work e-mail (workEmailIndex), or null. */
export function workEmailOf(resource: Record<string, unknown>): string | null {
  const emails = Array.isArray(resource.emails) ? (resource.emails as unknown[]) : [];
  const pick = emails[workEmailIndex(emails)];
  return isPlainObject(pick) && typeof pick.value === "string" ? pick.value : null;
}

const isBlank = (value: unknown) => value === undefined || value === null || (typeof value === "string" && value.trim() === "");

const isWork = (item: unknown) => isPlainObject(item) && typeof item.type === "string" && item.type.trim().toLowerCase() === "work";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
