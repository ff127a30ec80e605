// An Entra provisioning job against a gateway, start to finish: Test Connection, an initial cycle over
// every user in scope (match by userName, then create or PATCH the differences), incremental cycles over
// the users that changed, then a full read-back compared with what the directory says (and, given the
// core emulator's URL, with what the core holds). Importable: `npm run entra-sim` and the benchmarks call
// runSimulation with their own fetch and clock.
import { CHANGE_KINDS, generateDirectory, planCycleChanges, type ChangeKind, type Slot } from "./directory.ts";
import {
  createRequest,
  deleteRequest,
  EXPECTED_STATUS,
  filterRequest,
  patchRequest,
  testConnectionRequests,
  type Shape,
  type SimRequest,
} from "./entra-shapes.ts";
import { createRandom } from "./random.ts";
import { createScimClient, runPool, type ScimResult, type SimDeps, type Unexpected } from "./scim-client.ts";
import { countBy, latencyByKind, summarizeLatency, throughput, type LatencySummary } from "./stats.ts";
import { checkCore, readBack } from "./read-back.ts";
import { diffUser } from "./user-diff.ts";

export type ShapeOption = Shape | "mixed";

export type SimulationOptions = {
  /** SCIM base URL of the gateway, e.g. http://localhost:8787/scim/v2. */
  baseUrl: string;
  /** The Entra tenant the token speaks for (used to ask the core for this tenant's users). */
  tenantId: string;
  token: string;
  users: number;
  cycles: number;
  concurrency: number;
  shape: ShapeOption;
  /** The tenant's company managers; users are assigned (and moved) among them. */
  managers: string[];
  seed: number;
  /** Share of users changed per incremental cycle (default 0.3). */
  changeRate?: number;
  /** Core emulator base URL; its GET /users is compared with the gateway at the end. */
  coreUrl?: string;
  /** How long to wait for forwarding to catch up before the core counts as mismatched (default 30 s). */
  coreWaitMs?: number;
};

export type CycleReport = { cycle: number; users: number; requests: number; ms: number };

export type SimulationSummary = {
  ok: boolean;
  baseUrl: string;
  tenantId: string;
  shape: ShapeOption;
  users: number;
  cycles: number;
  concurrency: number;
  seed: number;
  /** With one Entra app per manager (run-apps-simulation.ts): the managers, one app each. */
  apps?: string[];
  changes: Record<string, number>;
  requests: number;
  statuses: Record<string, number>;
  byKind: Record<string, LatencySummary>;
  retried: number;
  elapsedMs: number;
  requestsPerSecond: number;
  latencyMs: LatencySummary;
  cycleReports: CycleReport[];
  unexpected: Unexpected[];
  mismatches: string[];
  /** Users the gateway holds for this tenant that this run did not create (earlier runs, other tools). */
  unmanagedUsers: number;
  core?: { url: string; mismatches: string[]; waitedMs: number };
};

export async function runSimulation(options: SimulationOptions, deps: SimDeps): Promise<SimulationSummary> {
  const log = deps.log ?? (() => {});
  const random = createRandom(options.seed);
  const client = createScimClient({ baseUrl: options.baseUrl, token: options.token }, deps);
  const ids = new Map<number, string>();
  const unexpected: Unexpected[] = [];
  const mismatches: string[] = [];
  const changes = Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;
  const cycleReports: CycleReport[] = [];

  const send = async (request: SimRequest): Promise<ScimResult | undefined> => {
    const result = await client.send(request);
    if (result.status === EXPECTED_STATUS[request.kind]) return result;
    const detail = typeof result.body?.detail === "string" ? result.body.detail : undefined;
    unexpected.push({ kind: request.kind, method: request.method, path: request.path, status: result.status, ...(detail ? { detail } : {}) });
    return undefined;
  };

  // Each user gets one shape for the whole run under "mixed", as if two apps of the tenant provisioned them.
  const shapeOf = (slot: Slot): Shape =>
    options.shape === "mixed" ? (slot.index % 2 === 0 ? "legacy" : "aadOptscim062020") : options.shape;

  async function reconcile(slot: Slot): Promise<void> {
    const who = `user #${slot.index}`;
    if (!slot.inScope) {
      const id = ids.get(slot.index) ?? (await findId(slot));
      if (id && (await send(deleteRequest(id)))) ids.delete(slot.index);
      return;
    }
    const found = await send(filterRequest(slot.user.mobile));
    if (!found) return;
    const resources: Record<string, unknown>[] = found.body?.Resources ?? [];
    if (resources.length > 1) mismatches.push(`${who}: the userName filter found ${resources.length} users`);
    const current = resources[0];
    if (!current) {
      const created = await send(createRequest(slot.user, shapeOf(slot)));
      if (created) ids.set(slot.index, String(created.body?.id));
      return;
    }
    const id = String(current.id);
    ids.set(slot.index, id);
    const ops = diffUser(current, slot.user);
    if (ops.length) await send(patchRequest(id, ops, shapeOf(slot)));
  }

  async function findId(slot: Slot): Promise<string | undefined> {
    const found = await send(filterRequest(slot.user.mobile));
    const first = found?.body?.Resources?.[0];
    return first ? String(first.id) : undefined;
  }

  async function cycle(number: number, toReconcile: Slot[]): Promise<void> {
    const before = client.samples.length;
    const started = deps.now();
    await runPool(toReconcile, options.concurrency, reconcile);
    const report = { cycle: number, users: toReconcile.length, requests: client.samples.length - before, ms: Math.round(deps.now() - started) };
    cycleReports.push(report);
    log(`cycle ${number}: ${report.users} users, ${report.requests} requests, ${report.ms} ms`);
  }

  const started = deps.now();
  for (const probe of testConnectionRequests(random.guid())) {
    const result = await send(probe);
    if (result && result.body?.totalResults !== 0) mismatches.push(`Test Connection: ${probe.path.split("?")[0]} did not answer an empty list`);
  }
  log(`Test Connection: ${unexpected.length === 0 ? "ok" : "failed"}`);

  let slots = generateDirectory(options.users, options.managers, random);
  await cycle(1, slots);
  for (let number = 2; number <= options.cycles; number++) {
    const planned = planCycleChanges(slots, options.managers, random, number, options.changeRate);
    slots = planned.slots;
    for (const change of planned.changes) changes[change.kind]++;
    const changed = new Set(planned.changes.map((c) => c.index));
    log(`cycle ${number}: ${describeChanges(countBy(planned.changes, (c) => c.kind))}`);
    await cycle(number, slots.filter((s) => changed.has(s.index)));
  }

  const { held, unmanaged } = await readBack(send, slots, ids, mismatches);
  log(`read back: ${held.size} users at the gateway, ${mismatches.length} mismatches`);
  const elapsedMs = deps.now() - started;

  let core: SimulationSummary["core"];
  if (options.coreUrl) core = await checkCore(options.coreUrl, options.tenantId, slots, held, options.coreWaitMs ?? 30_000, deps);

  const samples = client.samples;
  const byKind = latencyByKind(samples);
  return {
    ok: unexpected.length === 0 && mismatches.length === 0 && (core?.mismatches.length ?? 0) === 0,
    baseUrl: options.baseUrl,
    tenantId: options.tenantId,
    shape: options.shape,
    users: options.users,
    cycles: options.cycles,
    concurrency: options.concurrency,
    seed: options.seed,
    changes,
    requests: samples.length,
    statuses: countBy(samples, (s) => String(s.status)),
    byKind,
    retried: client.retried.length,
    elapsedMs: Math.round(elapsedMs),
    requestsPerSecond: throughput(samples.length, elapsedMs),
    latencyMs: summarizeLatency(samples.map((s) => s.ms)),
    cycleReports,
    unexpected,
    mismatches,
    unmanagedUsers: unmanaged,
    ...(core ? { core } : {}),
  };
}

function describeChanges(counts: Record<string, number>): string {
  const parts = Object.entries(counts).map(([kind, n]) => `${kind} ${n}`);
  return parts.length ? parts.join(", ") : "no changes";
}
