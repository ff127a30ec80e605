// Does the TeleMessage core hold what the gateway holds? Compares the core emulator's `GET /users` (one
// entry per user id: canonical mobile, active, deleted, version, the forwarded names and e-mail) with the
// directory and with the ids and versions the gateway returned. Tolerant of the entry's extra fields.
import type { Slot } from "./directory.ts";

export type GatewayHeld = { id: string; version: number };

type CoreEntry = {
  mobile?: unknown;
  userId?: unknown;
  active?: unknown;
  deleted?: unknown;
  version?: unknown;
  /** The manager the gateway stores the user under (the core's own field), when the core reports it. */
  manager?: unknown;
  user?: { displayName?: unknown; givenName?: unknown; familyName?: unknown; workEmail?: unknown };
};

/** Mismatches as short sentences naming the user by directory index and attribute, never by value. */
export function compareCoreUsers(body: unknown, slots: readonly Slot[], gateway: ReadonlyMap<number, GatewayHeld>): string[] {
  const entries: CoreEntry[] = Array.isArray(body)
    ? body
    : Array.isArray((body as { users?: unknown })?.users)
      ? (body as { users: CoreEntry[] }).users
      : [];
  const live = new Map<string, CoreEntry[]>();
  for (const entry of entries) {
    if (typeof entry?.mobile !== "string" || entry.deleted === true) continue;
    live.set(entry.mobile, [...(live.get(entry.mobile) ?? []), entry]);
  }
  const problems: string[] = [];
  for (const slot of slots) {
    const held = live.get(slot.user.mobile) ?? [];
    const who = `user #${slot.index}`;
    if (!slot.inScope) {
      if (held.length) problems.push(`${who}: deleted at the gateway but live at the core`);
      continue;
    }
    const at = gateway.get(slot.index);
    const entry = at ? held.find((e) => e.userId === undefined || e.userId === at.id) : held[0];
    if (!entry) {
      problems.push(`${who}: missing at the core`);
      continue;
    }
    if (held.length > 1) problems.push(`${who}: ${held.length} live entries at the core`);
    if (at && typeof entry.version === "number" && entry.version !== at.version) {
      problems.push(`${who}: core has version ${entry.version}, gateway ${at.version}`);
    }
    if (entry.active !== slot.user.active) problems.push(`${who}: active differs at the core`);
    if (entry.manager !== undefined && entry.manager !== slot.user.manager) problems.push(`${who}: stored manager differs at the core`);
    const user = entry.user;
    if (user) {
      if (user.displayName !== undefined && user.displayName !== slot.user.manager) problems.push(`${who}: manager differs at the core`);
      if (user.givenName !== undefined && user.givenName !== slot.user.givenName) problems.push(`${who}: givenName differs at the core`);
      if (user.familyName !== undefined && user.familyName !== slot.user.familyName) problems.push(`${who}: familyName differs at the core`);
      if (user.workEmail !== undefined && (user.workEmail ?? undefined) !== slot.user.mail) problems.push(`${who}: work e-mail differs at the core`);
    }
  }
  return problems;
}
