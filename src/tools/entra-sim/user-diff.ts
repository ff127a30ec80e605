// What Entra compares before it writes: the attributes the README's mapping sends, as the directory has
// them and as the gateway returned them. The differences become PATCH operations (shape-neutral here;
// entra-shapes.ts writes them the way each Entra shape does) and, at the end of a run, the mismatches.
import type { DirectoryUser } from "./directory.ts";

export type DiffOp = { op: "add" | "replace" | "remove"; path: string; value?: string | boolean };

export const WORK_EMAIL_PATH = 'emails[type eq "work"].value';

/** The mapped attributes, keyed by the PATCH path Entra uses for each. */
export function mappedAttributes(user: DirectoryUser): Record<string, string | boolean | undefined> {
  return {
    externalId: user.mobile,
    active: user.active,
    displayName: user.manager,
    "name.givenName": user.givenName,
    "name.familyName": user.familyName,
    [WORK_EMAIL_PATH]: user.mail,
  };
}

/** The same attributes read from a SCIM User resource as the gateway renders it. */
export function attributesOf(resource: Record<string, unknown>): Record<string, string | boolean | undefined> {
  const name = (resource.name ?? {}) as Record<string, unknown>;
  const emails = Array.isArray(resource.emails) ? (resource.emails as Record<string, unknown>[]) : [];
  const work = emails.find((e) => e?.type === "work");
  const text = (v: unknown) => (typeof v === "string" ? v : undefined);
  return {
    externalId: text(resource.externalId),
    // The gateway stores a missing `active` as active (RFC 7643 leaves it to the provider).
    active: typeof resource.active === "boolean" ? resource.active : true,
    displayName: text(resource.displayName),
    "name.givenName": text(name.givenName),
    "name.familyName": text(name.familyName),
    [WORK_EMAIL_PATH]: text(work?.value),
  };
}

/** The operations that turn `resource` into what the directory says; none when they agree. */
export function diffUser(resource: Record<string, unknown>, user: DirectoryUser): DiffOp[] {
  const actual = attributesOf(resource);
  const ops: DiffOp[] = [];
  for (const [path, wanted] of Object.entries(mappedAttributes(user))) {
    const current = actual[path];
    if (current === wanted) continue;
    if (wanted === undefined) ops.push({ op: "remove", path: path === WORK_EMAIL_PATH ? 'emails[type eq "work"]' : path });
    else ops.push({ op: current === undefined ? "add" : "replace", path, value: wanted });
  }
  return ops;
}

/** The attributes that differ, by name, for a mismatch report (no values: they hold personal data). */
export const mismatchedAttributes = (resource: Record<string, unknown>, user: DirectoryUser): string[] =>
  diffUser(resource, user).map((op) => op.path);
