// After the soak: does the core hold what D1 holds, and did it apply each change at most once?
//  - lost: a user (any id that ever had a change event) whose core entry is missing or differs from D1 in
//    version, active or deleted (a user gone from D1 must be deleted at the core, at its last version);
//    also a core entry for a user D1 never had an event for.
//  - duplicated: a (tenant, user, version) or an Idempotency-Key the core applied more than once.
//  - unsettled: change events neither delivered nor skipped.
import type { Miniflare } from "miniflare";
import type { CoreEmulator } from "../../src/tools/dev/core-emulator.ts";

type D1 = Awaited<ReturnType<Miniflare["getD1Database"]>>;

export type CoreCheck = {
  events: number;
  users: number;
  liveUsers: number;
  deletedUsers: number;
  deliveries: number;
  outcomes: Record<string, number>;
  lost: number;
  duplicated: number;
  unsettled: number;
  deliveredNeverReceived: number;
  examples: string[];
};

export const percentile = (sorted: number[], p: number): number =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number) : 0;

/**
 * `tenantIds` limits the check to those tenants (D1 rows and the core's users and deliveries); without it
 * the whole database is checked, as the soak does against its own throwaway D1.
 */
export async function checkCore(db: D1, core: CoreEmulator, tenantIds?: readonly string[]): Promise<CoreCheck> {
  const inScope = (tenantId: string) => tenantIds === undefined || tenantIds.includes(tenantId);
  return checkCoreRows((await readUsers(db)).filter((u) => inScope(u.tenant_id)), (await readEvents(db)).filter((e) => inScope(e.tenant_id)), core, tenantIds);
}

export type LiveUser = { id: string; tenant_id: string; version: number; active: number };
export type EventRow = { id: string; tenant_id: string; user_id: string; version: number; state: string };

export const readUsers = async (db: D1): Promise<LiveUser[]> => (await db.prepare("SELECT id, tenant_id, version, active FROM users").all<LiveUser>()).results;
export const readEvents = async (db: D1): Promise<EventRow[]> =>
  (await db.prepare("SELECT id, tenant_id, user_id, version, state FROM change_events").all<EventRow>()).results;

/**
 * The check on rows gathered by the caller: with shards (issue 15), each tenant's users from the shard its
 * record names, and the events of every shard (a moved tenant's event may sit in both; each copy counts).
 */
export function checkCoreRows(live: LiveUser[], events: EventRow[], core: CoreEmulator, tenantIds?: readonly string[]): CoreCheck {
  const examples: string[] = [];
  const note = (s: string) => {
    if (examples.length < 10) examples.push(s);
  };
  const inScope = (tenantId: string) => tenantIds === undefined || tenantIds.includes(tenantId);

  // What D1 says each user's final state is.
  const expected = new Map<string, { version: number; active: boolean; deleted: boolean }>();
  const lastVersion = new Map<string, number>();
  for (const e of events) {
    const key = `${e.tenant_id}/${e.user_id}`;
    lastVersion.set(key, Math.max(lastVersion.get(key) ?? 0, e.version));
  }
  for (const [key, version] of lastVersion) expected.set(key, { version, active: false, deleted: true });
  for (const u of live) expected.set(`${u.tenant_id}/${u.id}`, { version: u.version, active: u.active === 1, deleted: false });

  const held = new Map(core.users().filter((u) => inScope(u.tenantId)).map((u) => [`${u.tenantId}/${u.userId}`, u]));
  let lost = 0;
  for (const [key, want] of expected) {
    const got = held.get(key);
    if (!got) {
      lost++;
      note(`${key}: missing at the core (D1 v${want.version})`);
    } else if (got.version !== want.version || got.deleted !== want.deleted || (!want.deleted && got.active !== want.active)) {
      lost++;
      note(`${key}: core v${got.version} active=${got.active} deleted=${got.deleted}, D1 v${want.version} active=${want.active} deleted=${want.deleted}`);
    }
  }
  for (const key of held.keys()) {
    if (!expected.has(key)) {
      lost++;
      note(`${key}: at the core but D1 has no event for it`);
    }
  }

  // Applied at most once, by key and by (user, version).
  const received = core.events().filter((r) => inScope(String((r.event as { tenantId?: unknown } | null)?.tenantId ?? "")));
  const outcomes: Record<string, number> = {};
  const appliedByKey = new Map<string, number>();
  const appliedByVersion = new Map<string, number>();
  const receivedKeys = new Set<string>();
  for (const r of received) {
    outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    if (r.idempotencyKey) receivedKeys.add(r.idempotencyKey);
    if (r.outcome !== "applied") continue;
    const ev = r.event as { tenantId: string; userId: string; version: number };
    const k = r.idempotencyKey ?? "";
    appliedByKey.set(k, (appliedByKey.get(k) ?? 0) + 1);
    const v = `${ev.tenantId}/${ev.userId}@${ev.version}`;
    appliedByVersion.set(v, (appliedByVersion.get(v) ?? 0) + 1);
  }
  let duplicated = 0;
  for (const [k, n] of [...appliedByKey, ...appliedByVersion]) {
    if (n > 1) {
      duplicated += n - 1;
      note(`${k}: applied ${n} times`);
    }
  }

  let unsettled = 0;
  let deliveredNeverReceived = 0;
  for (const e of events) {
    if (e.state !== "delivered" && e.state !== "skipped") {
      unsettled++;
      note(`event ${e.id}: ${e.state}`);
    }
    if (e.state === "delivered" && !receivedKeys.has(e.id)) {
      deliveredNeverReceived++;
      note(`event ${e.id}: delivered, but the core never received it`);
    }
  }

  const deletedUsers = [...expected.values()].filter((w) => w.deleted).length;
  return {
    events: events.length,
    users: expected.size,
    liveUsers: expected.size - deletedUsers,
    deletedUsers,
    deliveries: received.length,
    outcomes,
    lost,
    duplicated,
    unsettled,
    deliveredNeverReceived,
    examples,
  };
}
