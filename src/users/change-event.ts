// The change event a write records in the outbox, and the body later posted to the TeleMessage core:
// the full current state with its version (state, not a diff), so the core can ignore anything at or
// below a version it already has.
import type { ChangeType, NewChangeEventRow, UserRow } from "../db/schema.ts";
import type { Tenant } from "./tenant.ts";

export const EVENT_SCHEMA_VERSION = 1;

export function changeTypeOf(before: UserRow | undefined, after: UserRow | undefined): ChangeType {
  if (!before) return "user.created";
  if (!after) return "user.deleted";
  if (before.active && !after.active) return "user.deactivated";
  if (!before.active && after.active) return "user.reactivated";
  return "user.updated";
}

function workEmail(resource: Record<string, unknown>): string | null {
  const emails = Array.isArray(resource.emails) ? (resource.emails as Record<string, unknown>[]) : [];
  const pick = emails.find((e) => e?.type === "work") ?? emails.find((e) => e?.primary === true) ?? emails[0];
  return typeof pick?.value === "string" ? pick.value : null;
}

export function buildChangeEvent(
  id: string,
  type: ChangeType,
  user: UserRow,
  tenant: Tenant,
  occurredAt: string,
): NewChangeEventRow {
  const name = (user.resource.name ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === "string" ? v : null);
  return {
    id,
    tenantId: tenant.tenantId,
    userId: user.id,
    type,
    version: user.version,
    occurredAt,
    state: "pending",
    payload: {
      schemaVersion: EVENT_SCHEMA_VERSION,
      eventId: id,
      type,
      occurredAt,
      tenantId: tenant.tenantId,
      accountId: tenant.record.accountId,
      manager: user.manager,
      userId: user.id,
      mobile: user.mobile,
      version: user.version,
      user: {
        userName: user.userName,
        externalId: user.externalId,
        active: type === "user.deleted" ? false : user.active,
        deleted: type === "user.deleted",
        displayName: text(user.resource.displayName),
        givenName: text(name.givenName),
        familyName: text(name.familyName),
        formattedName: text(name.formatted),
        workEmail: workEmail(user.resource),
      },
    },
  };
}
