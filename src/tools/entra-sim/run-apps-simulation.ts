// One Entra app per TeleMessage company manager, against a gateway (`npm run entra-sim -- --apps N`): N
// provisioning jobs, each with its own Tenant URL (/scim/v2/managers/<key>) and its own displayName
// constant, running at the same time as Entra runs them, independently. Users move between the apps'
// scopes; the app a user leaves sends its disable, the app it enters matches it by userName and sends its
// update, and the two orders (and both at once) are all played. At the end every user must be under the
// manager whose app has it in scope, and active exactly when some app does (docs/entra-setup.md).
import { APP_CHANGE_KINDS, expectedSlots, generateAppsDirectory, planAppsCycle, type AppChange, type AppsSlot } from "./apps-directory.ts";
import type { DirectoryUser } from "./directory.ts";
import { createRequest, EXPECTED_STATUS, filterRequest, patchRequest, testConnectionRequests, type Shape, type SimRequest } from "./entra-shapes.ts";
import { createRandom } from "./random.ts";
import { checkCore, readBack } from "./read-back.ts";
import type { CycleReport, SimulationOptions, SimulationSummary } from "./run-simulation.ts";
import { createScimClient, runPool, type ScimClient, type ScimResult, type SimDeps, type Unexpected } from "./scim-client.ts";
import { countBy, latencyByKind, summarizeLatency, throughput } from "./stats.ts";
import { diffUser } from "./user-diff.ts";

/** A manager's app: its displayName constant and the key of its Tenant URL. */
export type SimApp = { manager: string; key: string };

export type AppsSimulationOptions = Omit<SimulationOptions, "managers"> & {
  apps: SimApp[];
  /**
   * Every app on the shared /scim/v2, as the setup guide once said: the race the per-manager URLs remove
   * (a late disable from the app a user left disables it under its new manager) shows in the end state.
   */
  sharedUrl?: boolean;
};

/** One request sequence a job runs for a user: match and update (or create), or the disable of a leaver. */
type Task = { app: number; index: number; kind: "reconcile" | "disable" };

export async function runAppsSimulation(options: AppsSimulationOptions, deps: SimDeps): Promise<SimulationSummary> {
  const log = deps.log ?? (() => {});
  const random = createRandom(options.seed);
  const managers = options.apps.map((a) => a.manager);
  const base = options.baseUrl.replace(/\?.*$/, "").replace(/\/+$/, "");
  const urlOf = (app: SimApp) => (options.sharedUrl ? base : `${base}/managers/${app.key}`);
  const clients = options.apps.map((app) => createScimClient({ baseUrl: urlOf(app), token: options.token }, deps));
  const shapeOf = (app: number): Shape => (options.shape === "mixed" ? (app % 2 === 0 ? "aadOptscim062020" : "legacy") : options.shape);
  const ids = new Map<number, string>();
  const unexpected: Unexpected[] = [];
  const mismatches: string[] = [];
  const changes = Object.fromEntries(APP_CHANGE_KINDS.map((k) => [k, 0])) as Record<string, number>;
  const cycleReports: CycleReport[] = [];
  const requestCount = () => clients.reduce((n, c) => n + c.samples.length, 0);

  const sendVia = (client: ScimClient) => async (request: SimRequest): Promise<ScimResult | undefined> => {
    const result = await client.send(request);
    if (result.status === EXPECTED_STATUS[request.kind]) return result;
    const detail = typeof result.body?.detail === "string" ? result.body.detail : undefined;
    unexpected.push({ kind: request.kind, method: request.method, path: request.path, status: result.status, ...(detail ? { detail } : {}) });
    return undefined;
  };
  const sends = clients.map(sendVia);

  let slots: AppsSlot[] = generateAppsDirectory(options.users, managers, random);

  /** What app `app` wants the user to be: in its scope, so its manager and active. */
  const wanted = (slot: AppsSlot, app: number): DirectoryUser => ({ ...slot.user, manager: managers[app] as string, active: true });

  async function run(task: Task): Promise<void> {
    const send = sends[task.app] as (typeof sends)[number];
    const slot = slots[task.index] as AppsSlot;
    const found = await send(filterRequest(slot.user.mobile));
    if (!found) return;
    const current: Record<string, unknown> | undefined = found.body?.Resources?.[0];
    if (task.kind === "disable") {
      // Entra disables a user that left the app's scope: by the id it matched, if the user still looks active.
      if (current && current.active !== false) await send(patchRequest(String(current.id), [{ op: "replace", path: "active", value: false }], shapeOf(task.app)));
      return;
    }
    if (!current) {
      const created = await send(createRequest(wanted(slot, task.app), shapeOf(task.app)));
      if (created) ids.set(slot.index, String(created.body?.id));
      return;
    }
    ids.set(slot.index, String(current.id));
    const ops = diffUser(current, wanted(slot, task.app));
    if (ops.length) await send(patchRequest(String(current.id), ops, shapeOf(task.app)));
  }

  /** One phase: every app's job at once, each with its own pool of `concurrency` requests in flight. */
  async function phase(tasks: Task[]): Promise<void> {
    await Promise.all(options.apps.map((_, app) => runPool(tasks.filter((t) => t.app === app), options.concurrency, run)));
  }

  async function cycle(number: number, phases: Task[][], users: number): Promise<void> {
    const before = requestCount();
    const started = deps.now();
    for (const tasks of phases) await phase(tasks);
    const report = { cycle: number, users, requests: requestCount() - before, ms: Math.round(deps.now() - started) };
    cycleReports.push(report);
    log(`cycle ${number}: ${report.users} users, ${report.requests} requests, ${report.ms} ms`);
  }

  const started = deps.now();
  for (const [app, send] of sends.entries()) {
    for (const probe of testConnectionRequests(random.guid())) {
      const result = await send(probe);
      if (result && result.body?.totalResults !== 0) mismatches.push(`Test Connection of app ${app}: ${probe.path.split("?")[0]} did not answer an empty list`);
    }
  }
  log(`Test Connection of ${clients.length} apps: ${unexpected.length === 0 ? "ok" : "failed"}`);

  await cycle(1, [slots.map((s) => ({ app: s.app as number, index: s.index, kind: "reconcile" }))], slots.length);
  for (let number = 2; number <= options.cycles; number++) {
    const planned = planAppsCycle(slots, managers, random, number, options.changeRate);
    slots = planned.slots;
    for (const change of planned.changes) changes[change.kind] = (changes[change.kind] ?? 0) + 1;
    log(`cycle ${number}: ${Object.entries(countBy(planned.changes, (c) => c.kind)).map(([k, n]) => `${k} ${n}`).join(", ") || "no changes"}`);
    await cycle(number, phasesOf(planned.changes), planned.changes.length);
  }

  const final = expectedSlots(slots);
  const { held, unmanaged } = await readBack(sends[0] as (typeof sends)[number], final, ids, mismatches);
  log(`read back: ${held.size} users at the gateway, ${mismatches.length} mismatches`);
  const elapsedMs = deps.now() - started;
  const core = options.coreUrl ? await checkCore(options.coreUrl, options.tenantId, final, held, options.coreWaitMs ?? 30_000, deps) : undefined;

  const samples = clients.flatMap((c) => c.samples);
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
    apps: managers,
    changes,
    requests: samples.length,
    statuses: countBy(samples, (s) => String(s.status)),
    byKind,
    retried: clients.reduce((n, c) => n + c.retried.length, 0),
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

/**
 * The two phases of an incremental cycle. Everything but an ordered move runs in the first; an ordered move
 * puts one job's request in each, so the other job's arrives strictly later.
 */
export function phasesOf(changes: readonly AppChange[]): [Task[], Task[]] {
  const first: Task[] = [];
  const second: Task[] = [];
  for (const { index, kind, from, to } of changes) {
    const disable = from === undefined ? undefined : { app: from, index, kind: "disable" as const };
    const claim = to === undefined ? undefined : { app: to, index, kind: "reconcile" as const };
    if (kind === "moveDisableFirst") first.push(disable as Task), second.push(claim as Task);
    else if (kind === "moveClaimFirst") first.push(claim as Task), second.push(disable as Task);
    else if (kind === "moveConcurrent") first.unshift(disable as Task, claim as Task);
    else if (kind === "unassign") first.push(disable as Task);
    else if (kind === "assign") first.push(claim as Task);
    else first.push({ app: from as number, index, kind: "reconcile" });
  }
  return [first, second];
}
