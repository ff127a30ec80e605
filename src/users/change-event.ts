// The change event a write records in the outbox, and the body later posted to the TeleMessage core:
// the full current state with its version (state, not a diff), so the core can ignore anything at or
// below a version it already has.
import { CORE_EVENT_SCHEMA_VERSION, type ChangeType, type CoreEvent } from "../core-event.ts";
import type { NewChangeEventRow, UserRow } from "../db/schema.ts";
import type { Tenant } from "./tenant.ts";
import { workEmailOf } from "./work-email.ts";

export function changeTypeOf(before: UserRow | undefined, after: UserRow | undefined): ChangeType {
  if (!before) return "user.created";
  if (!after) return "user.deleted";
  if (before.active && !after.active) return "user.deactivated";
  if (!before.active && after.active) return "user.reactivated";
  return "user.updated";
}

const text = (v: unknown) => (typeof v === "string" ? v : null);

/** The person-identifying part of a user: who holds the number, as far as the gateway can tell. */
function holderOf(resource: Record<string, unknown>): string {
  const name = (resource.name ?? {}) as Record<string, unknown>;
  const fold = (v: unknown) => (typeof v === "string" ? v.trim().toLowerCase() : null);
  return JSON.stringify([fold(name.givenName), fold(name.familyName), fold(name.formatted), fold(workEmailOf(resource))]);
}

/**
 * A reused number: Entra matches a new person to the old, disabled user by userName and re-enables it under
 * the same userId. A user that was inactive and becomes active with another name or e-mail is flagged, so
 * the core can decide whether the line now belongs to someone else (docs/core-contract.md).
 */
export const isPossibleNewHolder = (before: UserRow, after: UserRow): boolean =>
  !before.active && after.active && holderOf(before.resource) !== holderOf(after.resource);

/**
 * The outbox row of a change, whose payload is the contract's CoreEvent (src/core-event.ts): a field the
 * contract renames or retypes fails to compile here. `previous` is the user before an update, for the
 * possibleNewHolder flag.
 */
export function buildChangeEvent(
  id: string,
  type: ChangeType,
  user: UserRow,
  tenant: Tenant,
  occurredAt: string,
  previous?: UserRow,
): NewChangeEventRow & { payload: CoreEvent } {
  const name = (user.resource.name ?? {}) as Record<string, unknown>;
  const payload: CoreEvent = {
    schemaVersion: CORE_EVENT_SCHEMA_VERSION,
    eventId: id,
    type,
    occurredAt,
    tenantId: tenant.tenantId,
    accountId: tenant.record.accountId,
    manager: user.manager,
    userId: user.id,
    mobile: user.mobile,
    version: user.version,
    ...(previous && type === "user.reactivated" && isPossibleNewHolder(previous, user) ? { possibleNewHolder: true } : {}),
    user: {
      userName: user.userName,
      externalId: user.externalId,
      active: type === "user.deleted" ? false : user.active,
      deleted: type === "user.deleted",
      displayName: text(user.resource.displayName),
      givenName: text(name.givenName),
      familyName: text(name.familyName),
      formattedName: text(name.formatted),
      workEmail: workEmailOf(user.resource),
    },
  };
  return { id, tenantId: tenant.tenantId, userId: user.id, type, version: user.version, occurredAt, state: "pending", payload, requestId: tenant.requestId ?? null };
}
