// `npm run tenants -- move <tenant> --to DB_2` (issue 15 §3): a tenant's users, undelivered change events,
// delivery cursors and user count move to another shard while Entra keeps provisioning. A resumable state
// machine whose state is a row of tenant_moves in the FIRST database (the control plane); each step is
// idempotent and recorded once done, so a crash at any point is finished by running the command again, or
// undone with --rollback up to the flip. The steps:
//   planned   the target shard gets a 'moving-in' fence (nothing writes the tenant there), the state row
//   copied    the users, undelivered events, cursors and count copied in pages (ids, versions, event ids kept)
//   fenced    the source shard gets a 'moving-out' fence: from here every write of the tenant answers 503 +
//             Retry-After (Entra retries), checked inside each write's own SQL (src/db/fence-store.ts),
//             because the allow-list record in KV takes up to a minute to reach every location
//   synced    what changed meanwhile copied again (each row at another version than its copy), what vanished
//             (deleted users, delivered events) dropped from the target
//   verified  users and user count equal on both sides (count and SHA-256), every undelivered event of the
//             source on the target and each copy equal to its source in all it never changes; else back to
//             fenced to sync again
//   flipped   the allow-list record names the target shard
//   unfenced  after KV propagation plus the Worker's record cache, the target fence goes: writes resume there
//   cleaned   after that wait again (a Worker still reading the old record reads the old rows, unchanged),
//             the deliveries the consumer recorded on the source since are carried over, the tenant's rows
//             leave the source; its fence stays there as 'moved', so a write arriving at
//             the old shard from a Worker with a stale record is refused (503), never stored where nobody reads
// Before the flip the tenant is served from the source only (the target is fenced); from the flip on, from
// the target only (the source is fenced). Events delivered from either side meanwhile are absorbed by the
// core's idempotency on event id and the per-user version cursor. No node: imports (the Workers tests run it).
import { parseStoredRecord, tenantKey } from "../../../tenants/record.ts";
import { DEFAULT_SHARD, shardOf, type ShardName } from "../../../tenants/shard.ts";
import type { TenantStore } from "../../../tenants/store.ts";
import { carryOutcomes, copyRows, countRows, keysOf, summarise, summariseKeys, syncRows, CARRIED, type ExecuteOn, type TableSummary } from "./copy.ts";
import { deleteChunkSql, literal, MOVED_TABLES, tenantLiteral, UNSETTLED, type MovedTable } from "./sql.ts";

export const MOVE_STEPS = ["planned", "copied", "fenced", "synced", "verified", "flipped", "unfenced", "cleaned"] as const;
export type MoveStep = (typeof MOVE_STEPS)[number];

/** KV's own figure for a change to reach every location, plus the Worker's record cache and a margin. */
export const SETTLE_MS = 90_000;
/** Locally (wrangler dev) KV is one process: only the Worker's record cache (5 s) to wait out. */
export const LOCAL_SETTLE_MS = 10_000;

export type MovePorts = {
  execute: ExecuteOn;
  /** The allow-list as the gateway reads it (KV): the record the move starts from. */
  store: TenantStore;
  /**
   * The flip: the tenant's record names `shard` from now on. The CLI records it in the ledger and publishes
   * it (tenants/commands.ts setTenantShard), so the console and later edits keep it.
   */
  recordShard: (tenantId: string, shard: ShardName, at: string) => Promise<void>;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  say: (line: string) => void;
};

export type MoveOptions = {
  /** The shards of the target environment. */
  shards: readonly ShardName[];
  /** How long to wait after the flip before un-fencing, and again before cleaning up; default SETTLE_MS. */
  settleMs?: number;
  /** Stop after this step (tests stop the move after each step; an operator may pause before the flip). */
  stopAfter?: MoveStep;
};

export type MoveState = { tenantId: string; fromShard: ShardName; toShard: ShardName; step: MoveStep; startedAt: string; updatedAt: string; flippedAt: string | null; verified: string | null };

export class MoveError extends Error {}

const CONTROL: ShardName = DEFAULT_SHARD;
/** Verified column by column on both sides (delivery cursors are delivery progress: the consumer on either
 * side and the core's per-user version cursor absorb a cursor that lags). */
const STRICT: MovedTable[] = ["users", "tenant_usage"];
/** What of a change event never changes once written (its state and delivery columns do, on the source). */
const EVENT_FIXED = ["id", "tenant_id", "user_id", "type", "version", "occurred_at", "payload"] as const;
const TABLES = Object.keys(MOVED_TABLES) as MovedTable[];

export async function readMove(execute: ExecuteOn, tenantId: string): Promise<MoveState | undefined> {
  const [rows = []] = await execute(CONTROL, [
    `SELECT tenant_id AS tenantId, from_shard AS fromShard, to_shard AS toShard, step, started_at AS startedAt, updated_at AS updatedAt, flipped_at AS flippedAt, verified FROM tenant_moves WHERE tenant_id = ${tenantLiteral(tenantId)}`,
  ]);
  return rows[0] as MoveState | undefined;
}

const record = (state: MoveState, step: MoveStep, at: string, extra = "") =>
  `UPDATE tenant_moves SET step = ${literal(step)}, updated_at = ${literal(at)}${extra} WHERE tenant_id = ${tenantLiteral(state.tenantId)}`;

const fenceSql = (tenantId: string, state: "moving-out" | "moving-in" | "moved", shard: ShardName, at: string) =>
  `INSERT OR REPLACE INTO tenant_fences (tenant_id, state, shard, since) VALUES (${tenantLiteral(tenantId)}, ${literal(state)}, ${literal(shard)}, ${literal(at)})`;
const unfenceSql = (tenantId: string) => `DELETE FROM tenant_fences WHERE tenant_id = ${tenantLiteral(tenantId)}`;

/** Runs (or resumes) the move of `tenantId` to `to`; the state after the last step it ran. */
export async function moveTenant(tenantId: string, to: ShardName, ports: MovePorts, options: MoveOptions): Promise<MoveState> {
  const id = tenantId.toLowerCase();
  let state = await readMove(ports.execute, id);
  if (state?.step === "cleaned") state = undefined; // an earlier move, finished: this is a new one
  if (state && state.toShard !== to) throw new MoveError(`Tenant ${id} is being moved to ${state.toShard}, not ${to}: finish that move (move ${id} --to ${state.toShard}) or roll it back (--rollback).`);
  state ??= await plan(id, to, ports, options);
  const settleMs = options.settleMs ?? SETTLE_MS;

  for (let next = MOVE_STEPS.indexOf(state.step) + 1; next < MOVE_STEPS.length; next++) {
    if (options.stopAfter && MOVE_STEPS.indexOf(state.step) >= MOVE_STEPS.indexOf(options.stopAfter)) break;
    const step = MOVE_STEPS[next]!;
    state = await runStep(step, state, ports, settleMs);
    ports.say(`move ${id}: ${step}`);
  }
  return state;
}

async function plan(id: string, to: ShardName, ports: MovePorts, options: MoveOptions): Promise<MoveState> {
  const raw = await ports.store.get(tenantKey(id));
  const stored = raw === undefined ? undefined : parseStoredRecord(raw);
  if (!stored?.ok) throw new MoveError(`Tenant ${id} is not on the allow-list, or its record cannot be read: nothing to move.`);
  const from = shardOf(stored.record);
  if (!options.shards.includes(to)) throw new MoveError(`--to ${to}: this environment of wrangler.toml declares ${options.shards.join(", ")}`);
  if (from === to) throw new MoveError(`Tenant ${id} is already on shard ${to}.`);
  const there = await countRows(ports.execute, to, id);
  if (there.users > 0 || there.change_events > 0) {
    throw new MoveError(`Shard ${to} already holds ${there.users} users and ${there.change_events} events of tenant ${id}; nothing was changed. Remove them first (they are not served: the record names ${from}).`);
  }
  const at = ports.now().toISOString();
  // The target's fence first: a crash before the state row leaves only a fence nobody serves, re-made on re-run.
  await ports.execute(to, [fenceSql(id, "moving-in", from, at)]);
  await ports.execute(CONTROL, [
    `INSERT OR REPLACE INTO tenant_moves (tenant_id, from_shard, to_shard, step, started_at, updated_at, flipped_at, verified) VALUES (${tenantLiteral(id)}, ${literal(from)}, ${literal(to)}, 'planned', ${literal(at)}, ${literal(at)}, NULL, NULL)`,
  ]);
  ports.say(`move ${id}: planned, ${from} -> ${to}`);
  return { tenantId: id, fromShard: from, toShard: to, step: "planned", startedAt: at, updatedAt: at, flippedAt: null, verified: null };
}

async function runStep(step: MoveStep, state: MoveState, ports: MovePorts, settleMs: number): Promise<MoveState> {
  const { execute } = ports;
  const { tenantId: id, fromShard: from, toShard: to } = state;
  let extra = "";
  let flippedAt = state.flippedAt;
  let verified = state.verified;
  switch (step) {
    case "copied":
      for (const table of TABLES) await copyRows(execute, from, to, table, id, CARRIED[table]);
      break;
    case "fenced":
      await execute(from, [fenceSql(id, "moving-out", to, ports.now().toISOString())]);
      break;
    case "synced":
      for (const table of TABLES) {
        const { copied, dropped } = await syncRows(execute, from, to, table, id);
        ports.say(`move ${id}: ${table}: ${copied} copied again, ${dropped} dropped`);
      }
      break;
    case "verified": {
      // The tenant's data, which only its (fenced) writes change: equal on both sides, every column.
      const sides: Record<string, Partial<Record<MovedTable, TableSummary>>> = { [from]: {}, [to]: {} };
      for (const shard of [from, to]) for (const table of STRICT) sides[shard]![table] = await summarise(execute, shard, table, id);
      const differing: string[] = STRICT.filter((t) => JSON.stringify(sides[from]![t]) !== JSON.stringify(sides[to]![t]));
      // Its events: the queue consumer keeps delivering on the source while the fence holds (delivery
      // progress, not the tenant's data), so each copy must match its source row in what never changes,
      // and every event still undelivered on the source must be on the target.
      const copies = await keysOf(execute, to, "change_events", id);
      const carried = new Set(copies);
      const missing = (await keysOf(execute, from, "change_events", id, UNSETTLED)).filter((key) => !carried.has(key));
      const [source, target] = [await summariseKeys(execute, from, "change_events", id, copies, EVENT_FIXED), await summariseKeys(execute, to, "change_events", id, copies, EVENT_FIXED)];
      if (missing.length || JSON.stringify(source) !== JSON.stringify(target)) differing.push("change_events");
      if (differing.length) {
        // Back to fenced, so the next run syncs again before it verifies.
        await execute(CONTROL, [record(state, "fenced", ports.now().toISOString())]);
        throw new MoveError(`Shards ${from} and ${to} differ in ${differing.join(", ")} after the sync; run the move again to sync and verify again.`);
      }
      verified = JSON.stringify({ ...sides[to], change_events: target });
      extra = `, verified = ${literal(verified)}`;
      break;
    }
    case "flipped": {
      const raw = await ports.store.get(tenantKey(id));
      if (raw === undefined) throw new MoveError(`Tenant ${id} left the allow-list during the move; roll it back (--rollback).`);
      const at = ports.now().toISOString();
      await ports.recordShard(id, to, at);
      flippedAt = at;
      extra = `, flipped_at = ${literal(at)}`;
      break;
    }
    case "unfenced":
      await waitUntil(Date.parse(state.flippedAt ?? state.updatedAt) + settleMs, ports, "every Worker reads the new record");
      await execute(to, [unfenceSql(id)]);
      break;
    case "cleaned":
      await waitUntil(Date.parse(state.updatedAt) + settleMs, ports, "no Worker reads the old shard any more");
      ports.say(`move ${id}: ${await carryOutcomes(execute, from, to, id)} deliveries recorded on ${from} since the copy carried over`);
      for (const table of TABLES) await deleteAll(execute, from, table, id);
      await execute(from, [fenceSql(id, "moved", to, ports.now().toISOString())]);
      break;
    case "planned":
      break;
  }
  const at = ports.now().toISOString();
  await execute(CONTROL, [record(state, step, at, extra)]);
  return { ...state, step, updatedAt: at, flippedAt, verified };
}

async function deleteAll(execute: ExecuteOn, shard: ShardName, table: MovedTable, id: string): Promise<void> {
  for (;;) {
    const [, [left] = []] = await execute(shard, [deleteChunkSql(table, id, 500), `SELECT count(*) AS n FROM (SELECT 1 FROM ${table} WHERE tenant_id = ${tenantLiteral(id)} LIMIT 1)`]);
    if (Number(left?.n ?? 0) === 0) return;
  }
}

async function waitUntil(at: number, ports: MovePorts, why: string): Promise<void> {
  const wait = at - ports.now().getTime();
  if (wait <= 0) return;
  ports.say(`waiting ${Math.ceil(wait / 1000)} s until ${why}`);
  await ports.sleep(wait);
}

/**
 * Undoes a move that has not flipped the record yet: the target's copies and fence go, the source's fence
 * goes (writes resume there), and the state row. After the flip the target is the tenant's only home: finish.
 */
export async function rollbackMove(tenantId: string, ports: MovePorts): Promise<MoveState | undefined> {
  const id = tenantId.toLowerCase();
  const state = await readMove(ports.execute, id);
  if (!state || state.step === "cleaned") throw new MoveError(`No move of tenant ${id} is under way.`);
  if (MOVE_STEPS.indexOf(state.step) >= MOVE_STEPS.indexOf("flipped")) {
    throw new MoveError(`Tenant ${id}'s record already names ${state.toShard}: the move cannot be rolled back, only finished (move ${id} --to ${state.toShard}).`);
  }
  for (const table of TABLES) await deleteAll(ports.execute, state.toShard, table, id);
  await ports.execute(state.toShard, [unfenceSql(id)]);
  await ports.execute(state.fromShard, [unfenceSql(id)]);
  await ports.execute(CONTROL, [`DELETE FROM tenant_moves WHERE tenant_id = ${tenantLiteral(id)}`]);
  ports.say(`move ${id}: rolled back; the tenant stays on ${state.fromShard}`);
  return state;
}
