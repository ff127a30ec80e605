// How much one user may take in the shared database (issue 11 §3). A tenant could store a 64,000-character
// unknown attribute on every user (201, 64 KiB a row). TeleMessage's profile (the setup guide's mappings:
// userName, externalId, active, displayName, the work e-mail, given and family name, and schemas; the
// formatted name too, which the core receives) is always stored. Every other attribute is stored only while
// the whole resource, serialised as D1 keeps it, stays within MAX_STORED_BYTES; beyond it the others are
// left out, largest first (ties by name), until it fits. The response shows the user as stored (RFC 7644
// §3.3: the service provider returns the resource as it was created), and the request log names what was
// left out. A profile that alone exceeds the cap (an absurd externalId, say) is refused: nothing legitimate
// comes near it, and storing it would defeat the bound.
import { invalidValue } from "../scim/scim-error.ts";
import { workEmailIndex } from "./work-email.ts";

export const MAX_STORED_BYTES = 8 * 1024;

/** Top-level attributes of the profile, as the User schema spells them (src/scim/user-schema.ts). */
const PROFILE_ATTRIBUTES = new Set(["schemas", "userName", "externalId", "active", "displayName"]);
/** Sub-attributes of `name` in the profile. */
const PROFILE_NAME_PARTS = new Set(["givenName", "familyName", "formatted"]);

export type CappedResource = { resource: Record<string, unknown>; dropped: string[] };

/** Something that may be left out: its name for the log, its size in bytes, and how to leave it out. */
type Unit = { name: string; bytes: number; drop: (resource: Record<string, unknown>) => void };

const encoder = new TextEncoder();
const bytesOf = (value: unknown): number => encoder.encode(JSON.stringify(value)).length;
/** A member `"key":value,` of an object, as JSON.stringify writes it. */
const memberBytes = (key: string, value: unknown): number => bytesOf(key) + 1 + bytesOf(value) + 1;

/** The resource to store, and the names of the attributes left out to bring it within `maxBytes`. */
export function capStoredResource(resource: Record<string, unknown>, maxBytes = MAX_STORED_BYTES): CappedResource {
  const text = JSON.stringify(resource);
  // A UTF-16 code unit takes at most 3 bytes in UTF-8: most users are decided without encoding them.
  if (text.length * 3 <= maxBytes) return { resource, dropped: [] };
  let size = encoder.encode(text).length;
  if (size <= maxBytes) return { resource, dropped: [] };
  const units = unitsOf(resource).sort((a, b) => b.bytes - a.bytes || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const capped = JSON.parse(text) as Record<string, unknown>;
  const dropped: string[] = [];
  // Sizes of members add up exactly except for a comma or an emptied container; the loop measures again.
  for (const unit of units) {
    unit.drop(capped);
    dropped.push(unit.name);
    size -= unit.bytes;
    if (size <= maxBytes && (size = bytesOf(capped)) <= maxBytes) return { resource: capped, dropped };
  }
  throw invalidValue(
    `userName, externalId, displayName, name and the work e-mail together take more than ${maxBytes / 1024} KiB; send the values the TeleMessage setup guide maps (a mobile number, a manager's name, a person's name and e-mail address).`,
  );
}

function unitsOf(resource: Record<string, unknown>): Unit[] {
  const units: Unit[] = [];
  for (const [key, value] of Object.entries(resource)) {
    if (PROFILE_ATTRIBUTES.has(key)) continue;
    if (key === "name" && isObject(value)) {
      for (const [part, partValue] of Object.entries(value)) {
        if (PROFILE_NAME_PARTS.has(part)) continue;
        units.push({ name: `name.${part}`, bytes: memberBytes(part, partValue), drop: (r) => dropNamePart(r, part) });
      }
    } else if (key === "emails" && Array.isArray(value)) {
      const work = workEmailIndex(value);
      const others = value.filter((_, i) => i !== work);
      if (others.length > 0) units.push({ name: "emails", bytes: others.reduce((n: number, e) => n + bytesOf(e) + 1, 0), drop: (r) => keepWorkEmail(r, work) });
    } else {
      units.push({ name: key, bytes: memberBytes(key, value), drop: (r) => dropAttribute(r, key) });
    }
  }
  return units;
}

function dropAttribute(resource: Record<string, unknown>, key: string): void {
  delete resource[key];
  // An extension left out takes its URN out of `schemas` (RFC 7643 §3: schemas names the resource's schemas).
  if (key.toLowerCase().startsWith("urn:") && Array.isArray(resource.schemas)) {
    resource.schemas = resource.schemas.filter((s) => typeof s !== "string" || s.toLowerCase() !== key.toLowerCase());
  }
}

function dropNamePart(resource: Record<string, unknown>, part: string): void {
  const name = resource.name;
  if (!isObject(name)) return;
  delete name[part];
  if (Object.keys(name).length === 0) delete resource.name;
}

function keepWorkEmail(resource: Record<string, unknown>, work: number): void {
  const emails = resource.emails;
  if (!Array.isArray(emails)) return;
  const kept = emails.filter((_, i) => i === work);
  if (kept.length > 0) resource.emails = kept;
  else delete resource.emails;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
