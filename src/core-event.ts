// The core contract: the body of one call to the TeleMessage core, POST {CORE_URL}/v1/provisioning/events.
// Written down once, here, on the bottom floor: users/change-event.ts builds a CoreEvent, the outbox column
// that stores it is typed CoreEvent (db/schema.ts), the queue consumer checks a message against it before
// posting, and the core emulator refuses (400) anything it does not describe. A renamed or retyped field
// therefore fails to compile where events are built, and `npm run contract:schema` writes it as JSON Schema
// into docs/core-event.schema.json for the core team (a test keeps that file current).
// State, not a diff: `user` is the whole current state at `version`, so the core may ignore any event at
// or below a version it already holds.
import * as z from "zod";

/** What happened to the user; also the change_events.type column's values. */
export const CHANGE_TYPES = [
  "user.created",
  "user.updated",
  "user.deactivated",
  "user.reactivated",
  "user.deleted",
] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

/** The contract's version, sent in every event; a change the core must act on gets a new one. */
export const CORE_EVENT_SCHEMA_VERSION = 1;

/** The versioned path the core serves. */
export const CORE_EVENTS_PATH = "/v1/provisioning/events";

const nullableText = z.string().nullable();

export const CoreEvent = z.object({
  schemaVersion: z.literal(CORE_EVENT_SCHEMA_VERSION),
  /** Also sent as the Idempotency-Key header. */
  eventId: z.string().min(1),
  type: z.enum(CHANGE_TYPES),
  occurredAt: z.iso.datetime(),
  /** The Entra tenant GUID. */
  tenantId: z.string().min(1),
  /** The TeleMessage account, from the tenant's allow-list record. */
  accountId: z.string().min(1),
  /** The TeleMessage company manager (SCIM displayName). */
  manager: nullableText,
  /** The SCIM user id, stable for the user's lifetime in the gateway. */
  userId: z.string().min(1),
  /** Canonical mobile number: digits only, country code first. */
  mobile: z.string().regex(/^[0-9]{4,15}$/),
  version: z.number().int().positive(),
  /**
   * Present (true) on a user.reactivated event whose user comes back with another name or work e-mail: the
   * number may have been reassigned to a new person (docs/core-contract.md). Optional, so events written
   * before it existed still validate.
   */
  possibleNewHolder: z.literal(true).optional(),
  user: z.object({
    userName: z.string(),
    externalId: nullableText,
    active: z.boolean(),
    deleted: z.boolean(),
    displayName: nullableText,
    givenName: nullableText,
    familyName: nullableText,
    formattedName: nullableText,
    workEmail: nullableText,
  }),
});

export type CoreEvent = z.infer<typeof CoreEvent>;
