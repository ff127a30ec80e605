// Bounds on the profile values, which are always stored (resource-cap.ts keeps them whatever their size)
// and copied into every change event the core receives. Without a bound of their own, a tenant flipping a
// 7,000-character externalId wrote 7.3 KB of change event per PATCH into the outbox every tenant shares (an
// attack test); with these, an event stays under 2 KiB. The limits sit well above what Entra holds for
// these attributes (givenName and surname 64 characters, displayName and mail 256; userName is the mobile
// number, bounded by mobile-number.ts), so no real directory reaches them.
//
// A value the request did not change is exempt: a user stored before these bounds existed must still be
// disabled, enabled and deleted (leavers always leave), so only a value a request sets is measured.
import { invalidValue } from "../scim/scim-error.ts";

const LIMITS: readonly { label: string; max: number; read: (resource: Record<string, unknown>) => unknown[] }[] = [
  { label: "externalId", max: 128, read: (r) => [r.externalId] },
  { label: "displayName", max: 256, read: (r) => [r.displayName] },
  { label: "name.givenName", max: 128, read: (r) => [nameOf(r).givenName] },
  { label: "name.familyName", max: 128, read: (r) => [nameOf(r).familyName] },
  { label: "name.middleName", max: 128, read: (r) => [nameOf(r).middleName] },
  { label: "name.formatted", max: 256, read: (r) => [nameOf(r).formatted] },
  { label: "emails.value", max: 256, read: (r) => (Array.isArray(r.emails) ? r.emails.map((e) => (e as { value?: unknown } | null)?.value) : []) },
];

const nameOf = (resource: Record<string, unknown>): Record<string, unknown> =>
  typeof resource.name === "object" && resource.name !== null ? (resource.name as Record<string, unknown>) : {};

/** Throws invalidValue for a profile value longer than its limit, unless `stored` holds the same value. */
export function checkProfileLengths(resource: Record<string, unknown>, stored?: Record<string, unknown>): void {
  for (const { label, max, read } of LIMITS) {
    const before = stored ? new Set(read(stored)) : undefined;
    for (const value of read(resource)) {
      if (typeof value === "string" && value.length > max && !before?.has(value)) {
        throw invalidValue(`${label} is longer than ${max} characters; map it to the attribute TeleMessage's setup guide names for it.`);
      }
    }
  }
}
