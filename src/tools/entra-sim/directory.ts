// The simulated Entra directory: the users an enterprise app has in scope, as Entra's source side sees
// them, and the changes people make between provisioning cycles. Pure: a seeded Random in, plain data out.
//
// Mobile numbers are possible (right length, no trunk prefix) in several countries, digits only with the
// country code first, as the README's attribute mapping asks, so every one passes the gateway's check.

import type { Random } from "./random.ts";

export type DirectoryUser = {
  /** The user's mobile number, canonical (digits only): userName and externalId. */
  mobile: string;
  givenName: string;
  familyName: string;
  /** Entra omits null attributes, so a user without mail sends no e-mail at all. */
  mail: string | undefined;
  /** The company manager's name, sent as the constant displayName. */
  manager: string;
  /** Not IsSoftDeleted: false means Entra sends active "False". */
  active: boolean;
};

/** One user's place in the directory. Out of scope (deleted or unassigned) means Entra deletes it. */
export type Slot = { index: number; user: DirectoryUser; inScope: boolean };

export const CHANGE_KINDS = ["rename", "newEmail", "managerMove", "disable", "enable", "delete", "recreate"] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];
export type PlannedChange = { index: number; kind: ChangeKind };

/** Country code and the shape of a possible mobile number after it. */
const MOBILE_PLANS: readonly { country: string; make: (r: Random) => string }[] = [
  { country: "US", make: (r) => `1${r.int(2, 10)}${r.digits(2)}${r.int(2, 10)}${r.digits(6)}` },
  { country: "GB", make: (r) => `447${r.int(4, 10)}${r.digits(8)}` },
  { country: "HK", make: (r) => `852${r.pick(["5", "6", "9"])}${r.digits(7)}` },
  { country: "DE", make: (r) => `491${r.pick(["5", "6", "7"])}${r.int(1, 10)}${r.digits(8)}` },
  { country: "AU", make: (r) => `614${r.digits(8)}` },
  { country: "IL", make: (r) => `9725${r.int(0, 9)}${r.digits(7)}` },
  { country: "SG", make: (r) => `65${r.pick(["8", "9"])}${r.digits(7)}` },
  { country: "IN", make: (r) => `91${r.int(6, 10)}${r.digits(9)}` },
];

const GIVEN_NAMES = ["Ann", "Bo", "Chen", "Dana", "Émile", "Farah", "Goran", "Hana", "Ivan", "Jun", "Kofi", "Lea", "Łukasz", "Mei", "Noa", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Vera", "Wei", "Yael", "Zoë"];
const FAMILY_NAMES = ["Lee", "Berg", "Cohen", "Da Silva", "Evans", "Fischer", "García", "Haddad", "Ito", "Jensen", "Kowalski", "Levi", "Müller", "Nakamura", "O'Brien", "Patel", "Rossi", "Schmidt", "Tanaka", "Van Dijk", "Wong", "Yilmaz", "Zhang"];

export function mobileCountries(): string[] {
  return MOBILE_PLANS.map((p) => p.country);
}

/** `count` users with distinct mobile numbers spread over the countries, all in scope and active. */
export function generateDirectory(count: number, managers: readonly string[], random: Random): Slot[] {
  if (managers.length === 0) throw new RangeError("at least one manager name is needed");
  const seen = new Set<string>();
  const slots: Slot[] = [];
  for (let index = 0; index < count; index++) {
    let mobile: string;
    do mobile = (MOBILE_PLANS[index % MOBILE_PLANS.length] as (typeof MOBILE_PLANS)[number]).make(random);
    while (seen.has(mobile));
    seen.add(mobile);
    const givenName = random.pick(GIVEN_NAMES);
    const familyName = random.pick(FAMILY_NAMES);
    slots.push({
      index,
      inScope: true,
      user: {
        mobile,
        givenName,
        familyName,
        // About one user in ten has no mail in the directory.
        mail: random.chance(0.1) ? undefined : mailOf(givenName, familyName, index, 0),
        manager: random.pick(managers),
        active: true,
      },
    });
  }
  return slots;
}

/**
 * The changes of one incremental cycle: about `rate` of the users, each with one change that makes sense
 * for its state (a deleted user can only come back; a disabled one is re-enabled or deleted).
 * Returns the directory after the changes and what changed; the input is not modified.
 */
export function planCycleChanges(
  slots: readonly Slot[],
  managers: readonly string[],
  random: Random,
  cycle: number,
  rate = 0.3,
): { slots: Slot[]; changes: PlannedChange[] } {
  const next = slots.map((s) => ({ ...s, user: { ...s.user } }));
  const changes: PlannedChange[] = [];
  for (const slot of next) {
    if (!random.chance(rate)) continue;
    const kind = random.pick(possibleChanges(slot, managers));
    applyChange(slot, kind, managers, random, cycle);
    changes.push({ index: slot.index, kind });
  }
  return { slots: next, changes };
}

function possibleChanges(slot: Slot, managers: readonly string[]): ChangeKind[] {
  if (!slot.inScope) return ["recreate"];
  if (!slot.user.active) return ["enable", "enable", "delete"];
  // Weighted towards the everyday changes; deletions are rarer than renames.
  const kinds: ChangeKind[] = ["rename", "rename", "newEmail", "newEmail", "disable", "delete"];
  if (managers.length > 1) kinds.push("managerMove", "managerMove");
  return kinds;
}

function applyChange(slot: Slot, kind: ChangeKind, managers: readonly string[], random: Random, cycle: number): void {
  const user = slot.user;
  switch (kind) {
    case "rename":
      renameUser(user, random);
      return;
    case "newEmail":
      user.mail = mailOf(user.givenName, user.familyName, slot.index, cycle);
      return;
    case "managerMove":
      user.manager = random.pick(managers.filter((m) => m !== user.manager));
      return;
    case "disable":
      user.active = false;
      return;
    case "enable":
      user.active = true;
      return;
    case "delete":
      slot.inScope = false;
      return;
    case "recreate":
      // Back in scope as a new object in Entra: active, possibly with a new e-mail.
      slot.inScope = true;
      user.active = true;
      if (random.chance(0.5)) user.mail = mailOf(user.givenName, user.familyName, slot.index, cycle);
      return;
  }
}

/** A new family name, and half the time a new given name: what a marriage or a typo fix does. */
export function renameUser(user: Pick<DirectoryUser, "givenName" | "familyName">, random: Random): void {
  user.familyName = random.pick(FAMILY_NAMES.filter((n) => n !== user.familyName));
  if (random.chance(0.5)) user.givenName = random.pick(GIVEN_NAMES.filter((n) => n !== user.givenName));
}

export function mailOf(givenName: string, familyName: string, index: number, cycle: number): string {
  const ascii = (s: string) =>
    s
      .normalize("NFKD")
      .replace(/[^A-Za-z]/g, "")
      .toLowerCase();
  return `${ascii(givenName)}.${ascii(familyName)}.${index}${cycle ? `.c${cycle}` : ""}@contoso.example`;
}
