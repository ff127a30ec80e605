// The simulated directory when a tenant has one Entra app per TeleMessage company manager (the setup
// guide's way): each user is in the scope of at most one app, and moving between managers means leaving
// one app's scope and entering another's, which two provisioning jobs act on independently. Pure: a seeded
// Random in, plain data out.
import { generateDirectory, mailOf, renameUser, type DirectoryUser, type Slot } from "./directory.ts";
import type { Random } from "./random.ts";

/** `app`: the index of the app (manager) whose scope holds the user, or undefined (unassigned: disabled). */
export type AppsSlot = { index: number; user: DirectoryUser; app: number | undefined; lastApp: number };

/**
 * How a user changes between cycles. A move is planned in three orders of the two jobs' requests: the old
 * app's disable before the new app's update, after it, or at the same time.
 */
export const APP_CHANGE_KINDS = ["rename", "newEmail", "moveDisableFirst", "moveClaimFirst", "moveConcurrent", "unassign", "assign"] as const;
export type AppChangeKind = (typeof APP_CHANGE_KINDS)[number];
export type AppChange = { index: number; kind: AppChangeKind; from?: number; to?: number };

const MOVES: readonly AppChangeKind[] = ["moveDisableFirst", "moveClaimFirst", "moveConcurrent"];
export const isMove = (kind: AppChangeKind) => MOVES.includes(kind);

/** `count` users spread over the apps, each in one app's scope and active. */
export function generateAppsDirectory(count: number, managers: readonly string[], random: Random): AppsSlot[] {
  return generateDirectory(count, managers, random).map((slot) => {
    const app = managers.indexOf(slot.user.manager);
    return { index: slot.index, user: slot.user, app, lastApp: app };
  });
}

/** The changes of one incremental cycle, for about `rate` of the users; the input is not modified. */
export function planAppsCycle(
  slots: readonly AppsSlot[],
  managers: readonly string[],
  random: Random,
  cycle: number,
  rate = 0.3,
): { slots: AppsSlot[]; changes: AppChange[] } {
  const next = slots.map((s) => ({ ...s, user: { ...s.user } }));
  const changes: AppChange[] = [];
  for (const slot of next) {
    if (!random.chance(rate)) continue;
    const from = slot.app;
    if (from === undefined) {
      const to = random.int(0, managers.length);
      place(slot, to, managers);
      changes.push({ index: slot.index, kind: "assign", to });
      continue;
    }
    const kinds: AppChangeKind[] = ["rename", "newEmail", "unassign"];
    if (managers.length > 1) kinds.push(...MOVES, ...MOVES);
    const kind = random.pick(kinds);
    if (kind === "rename") renameUser(slot.user, random);
    else if (kind === "newEmail") slot.user.mail = mailOf(slot.user.givenName, slot.user.familyName, slot.index, cycle);
    else if (kind === "unassign") {
      slot.app = undefined;
      slot.user.active = false;
    } else {
      const to = random.pick(managers.map((_, i) => i).filter((i) => i !== from));
      place(slot, to, managers);
      changes.push({ index: slot.index, kind, from, to });
      continue;
    }
    changes.push({ index: slot.index, kind, from });
  }
  return { slots: next, changes };
}

function place(slot: AppsSlot, app: number, managers: readonly string[]): void {
  slot.app = app;
  slot.lastApp = app;
  slot.user.manager = managers[app] as string;
  slot.user.active = true;
}

/**
 * What the gateway must hold at the end, as the one-app directory's slots (so the same read-back and core
 * checks apply): every user under the manager of the app whose scope holds it, active exactly when in
 * scope; an unassigned user stays, disabled, under the last app that had it.
 */
export const expectedSlots = (slots: readonly AppsSlot[]): Slot[] => slots.map((s) => ({ index: s.index, inScope: true, user: { ...s.user } }));
