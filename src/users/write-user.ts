// The write use cases: create, replace (PUT), patch, delete. Each is one atomic db.batch holding the user
// change and its change event (D1 has no interactive transactions). Uniqueness is decided by the unique
// index, the tenant's user quota by the create's own INSERT against the running count that creates and
// deletes keep in the same batch, and lost updates by `WHERE version = ?` plus a retry, never by
// read-then-write.
import type { Db } from "../db/client.ts";
import {
  insertEventIfAtVersion,
  insertEventIfWritten,
  previousManagerOf,
  pruneOlderSettledEvents,
  pruneSettledEventsOfDeletedUser,
} from "../db/event-store.ts";
import { toScimStorageError } from "../db/storage-errors.ts";
import type { NewChangeEventRow, UserRow } from "../db/schema.ts";
import { countCreatedUser, countDeletedUser } from "../db/usage-store.ts";
import { deleteUserIfVersion, findUserById, insertUserWithinQuota, updateUserIfVersion } from "../db/user-store.ts";
import { because, invalidValue, unavailable } from "../scim/scim-error.ts";
import { maxUsersOf } from "../tenants/record.ts";
import { applyUserPatch } from "../scim/user-patch.ts";
import { parseUserResource } from "../scim/user-schema.ts";
import { normaliseEmails } from "./work-email.ts";
import { managerNamed, managersOf } from "../tenants/managers.ts";
import type { Deps, StorageEnv } from "../deps.ts";
import { buildChangeEvent, changeTypeOf } from "./change-event.ts";
import type { WriteNotes } from "./manager-rules.ts";
import { applyProfile } from "./profile.ts";
import { checkProfileLengths } from "./profile-lengths.ts";
import { capStoredResource } from "./resource-cap.ts";
import type { Tenant } from "./tenant.ts";
import { userNotFound } from "./user-not-found.ts";
import { mayDelete, planUpdate, storedManagerNotes, type ResourceChange } from "./update-plan.ts";

/**
 * `notes` say what the request log should record about the write (manager-rules.ts); `dropped` names the
 * attributes left out to keep the stored user within its size cap (resource-cap.ts), for the log too.
 */
export type WriteResult = { user: UserRow; event?: NewChangeEventRow; notes?: WriteNotes; dropped?: string[] };

const DUPLICATE = "A user with this mobile number (userName) already exists in this tenant.";
/** Attempts for a versioned write under contention; each is one read and one batch. */
const MAX_ATTEMPTS = 64;

export async function createUser(deps: Deps, env: StorageEnv, tenant: Tenant, body: unknown): Promise<WriteResult> {
  const db = deps.database(env, tenant.tenantId);
  const parsed = parseUserResource(normaliseEmails(body));
  checkProfileLengths(parsed);
  const { resource, dropped } = capStoredResource(parsed);
  const columns = applyProfile(resource, tenant);
  const at = deps.now().toISOString();
  const user: UserRow = {
    id: deps.newId(),
    tenantId: tenant.tenantId,
    ...columns,
    version: 1,
    lastEventId: deps.newId(),
    resource,
    createdAt: at,
    updatedAt: at,
  };
  const event = buildChangeEvent(user.lastEventId, "user.created", user, tenant, at);
  const maxUsers = maxUsersOf(tenant.record);
  const [inserted] = await runBatch(db, [
    insertUserWithinQuota(db, user, maxUsers),
    insertEventIfWritten(db, event),
    countCreatedUser(db, tenant.tenantId, user.id, user.lastEventId),
  ]);
  // Not 409: after an empty lookup Entra reads a 409 as a filtering incompatibility (issue 11 §3).
  if (inserted?.meta.changes !== 1) throw quotaReached(maxUsers);
  return { user, event, dropped };
}

const quotaReached = (maxUsers: number) =>
  because(
    invalidValue(
      `This tenant already has ${maxUsers.toLocaleString("en-US")} users, the most its TeleMessage account allows, so the user was not created. Remove users from the Entra app's scope, or ask your TeleMessage account manager to raise the limit.`,
    ),
    "quota_reached",
  );

export function replaceUser(deps: Deps, env: StorageEnv, tenant: Tenant, id: string, body: unknown): Promise<WriteResult> {
  const resource = parseUserResource(normaliseEmails(body));
  return updateWithRetry(deps, deps.database(env, tenant.tenantId), tenant, id, () => resource);
}

export function patchUser(deps: Deps, env: StorageEnv, tenant: Tenant, id: string, body: unknown): Promise<WriteResult> {
  const change: ResourceChange = (stored) => parseUserResource(normaliseEmails(applyUserPatch(stored, body)));
  return updateWithRetry(deps, deps.database(env, tenant.tenantId), tenant, id, change);
}

function updateWithRetry(deps: Deps, db: Db, tenant: Tenant, id: string, change: ResourceChange): Promise<WriteResult> {
  return retryVersionRace(deps, db, tenant, id, async (current) => {
    // The size cap applies to whatever the plan stores; the names it left out go to the log.
    let dropped: string[] = [];
    const capped: ResourceChange = (stored) => {
      const changed = change(stored);
      checkProfileLengths(changed, stored);
      const result = capStoredResource(changed);
      dropped = result.dropped;
      return result.resource;
    };
    const plan = planUpdate(current, capped, tenant);
    if (plan.kind !== "write") return { user: current, notes: plan.notes, dropped };
    const at = deps.now().toISOString();
    const next: UserRow = {
      ...current,
      ...plan.columns,
      resource: plan.resource,
      version: current.version + 1,
      lastEventId: deps.newId(),
      updatedAt: at,
    };
    const event = buildChangeEvent(next.lastEventId, changeTypeOf(current, next), next, tenant, at, current);
    const [update] = await runBatch(db, [
      updateUserIfVersion(db, next, current.version),
      insertEventIfWritten(db, event),
      pruneOlderSettledEvents(db, tenant.tenantId, current.id, next.version),
    ]);
    if (update?.meta.changes !== 1) return undefined;
    if (plan.claimed && (await claimedBack(db, tenant, current))) plan.notes.managerFlip = true;
    return { user: next, event, notes: plan.notes, dropped };
  });
}

/**
 * Whether the claiming app held the user before its last manager did (a user in the scope of two apps).
 * Read after the claim is stored, for the log only: a failed read reports no flip rather than failing a
 * write that is already in D1.
 */
async function claimedBack(db: Db, tenant: Tenant, current: UserRow): Promise<boolean> {
  const previous = await previousManagerOf(db, tenant.tenantId, current).catch(() => null);
  const managers = managersOf(tenant.record);
  return previous !== null && managers !== undefined && managerNamed(managers, previous)?.key === tenant.app?.key;
}

export function deleteUser(deps: Deps, env: StorageEnv, tenant: Tenant, id: string): Promise<WriteResult> {
  const db = deps.database(env, tenant.tenantId);
  return retryVersionRace(deps, db, tenant, id, async (current) => {
    // Through another manager's Tenant URL a DELETE changes nothing (manager-rules.ts): 204 all the same.
    if (!mayDelete(current, tenant)) return { user: current, notes: { ignoredForeignManager: true } };
    const at = deps.now().toISOString();
    // The deletion is a version of its own, so the core can order it after every earlier state.
    const gone: UserRow = { ...current, version: current.version + 1, updatedAt: at };
    const event = buildChangeEvent(deps.newId(), "user.deleted", gone, tenant, at);
    const [, , removal] = await runBatch(db, [
      insertEventIfAtVersion(db, event, current.version),
      countDeletedUser(db, tenant.tenantId, id, current.version),
      deleteUserIfVersion(db, tenant.tenantId, id, current.version),
      pruneSettledEventsOfDeletedUser(db, tenant.tenantId, id),
    ]);
    return removal?.meta.changes === 1 ? { user: gone, event, notes: storedManagerNotes(current, tenant) } : undefined;
  });
}

/**
 * Reads the user and tries a versioned write; `write` answers undefined when another request wrote the
 * user first (its `WHERE version = ?` matched nothing), and then the whole read-and-write is retried.
 */
async function retryVersionRace(
  deps: Deps,
  db: Db,
  tenant: Tenant,
  id: string,
  write: (current: UserRow) => Promise<WriteResult | undefined>,
): Promise<WriteResult> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const current = await findUserById(db, tenant.tenantId, id);
    if (!current) throw userNotFound();
    const result = await write(current);
    if (result) return result;
    await backOff(deps, attempt);
  }
  throw unavailable("The user is being changed by other requests right now; retry shortly.", 1);
}

/** One atomic batch; a driver error becomes the SCIM error Entra should see. */
async function runBatch(db: Db, statements: D1PreparedStatement[]): Promise<D1Result[]> {
  try {
    return await db.$client.batch(statements);
  } catch (error) {
    throw toScimStorageError(error, DUPLICATE);
  }
}

/**
 * Lost a version race: retry at once twice (the common case is one other writer), then back off with
 * full jitter, exponentially up to 200 ms, so a crowd of writers to one user spreads out instead of
 * re-reading in lockstep.
 */
const backOff = (deps: Pick<Deps, "random" | "sleep">, attempt: number): Promise<void> =>
  attempt < 3 ? Promise.resolve() : deps.sleep(deps.random() * Math.min(200, 2 ** attempt));
