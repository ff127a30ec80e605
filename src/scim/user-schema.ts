// The User resource as we accept it (POST, PUT, and the result of a PATCH). Only userName is required:
// Entra omits attributes that are null in the directory. Attributes outside TeleMessage's profile are kept
// as sent (passthrough): rejecting one would block a whole provisioning cycle for that user.
import * as z from "zod";
import { invalidValue } from "./scim-error.ts";
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from "./uris.ts";

/** Entra ID sends booleans as JSON booleans or, in its legacy shape, as the strings "True"/"False". */
export const ScimBoolean = z.union([
  z.boolean(),
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(["true", "false"]))
    .transform((s) => s === "true"),
]);

const Email = z.looseObject({
  value: z.string().trim().min(1, "an e-mail needs a value"),
  type: z.string().nullish(),
  primary: ScimBoolean.nullish(),
});

const Name = z.looseObject({
  givenName: z.string().nullish(),
  familyName: z.string().nullish(),
  formatted: z.string().nullish(),
  middleName: z.string().nullish(),
});

export const UserInput = z.looseObject({
  schemas: z.array(z.string()).nullish(),
  userName: z.string({ error: "userName is required: map it to the user's mobile number" }).trim().min(1, "userName is required: map it to the user's mobile number"),
  externalId: z.string().nullish(),
  active: ScimBoolean.nullish(),
  displayName: z.string().nullish(),
  emails: z.array(Email).nullish(),
  name: Name.nullish(),
});

/** Server-owned attributes: ignored on input (RFC 7643 §3.1 "id" and "meta" are readOnly). */
const SERVER_OWNED = new Set(["id", "meta"]);

/**
 * Validates a User body and returns the resource to store: nulls dropped (RFC 7643 §2.5: null is
 * unassigned), booleans normalised, server-owned attributes removed, `schemas` naming the core schema
 * and, when enterprise attributes are present, the enterprise extension.
 */
export function parseUserResource(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalidValue("The request body must be a SCIM User object.");
  }
  const parsed = UserInput.safeParse(body);
  if (!parsed.success) throw invalidValue(describeIssue(parsed.error));
  const resource = dropNulls(parsed.data) as Record<string, unknown>;
  for (const key of SERVER_OWNED) delete resource[key];
  const schemas = new Set(Array.isArray(resource.schemas) ? (resource.schemas as string[]) : []);
  schemas.add(USER_SCHEMA);
  if (ENTERPRISE_USER_SCHEMA in resource) schemas.add(ENTERPRISE_USER_SCHEMA);
  resource.schemas = [...schemas];
  return resource;
}

function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    // Own data property: a "__proto__" key from JSON must stay data, never become the prototype.
    Object.defineProperty(out, k, { value: dropNulls(v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "The User is not valid.";
  const path = issue.path.join(".");
  if (issue.code === "invalid_type" && path) {
    return `Attribute '${path}' has the wrong type: expected ${issue.expected}.`;
  }
  return path && !issue.message.includes(path.split(".")[0] ?? "") ? `Attribute '${path}': ${issue.message}` : issue.message;
}
