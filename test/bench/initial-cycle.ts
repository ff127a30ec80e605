// The end-to-end line: Entra's initial provisioning cycle against the gateway. When issue 4's simulator
// (src/tools/entra-sim/run-simulation.ts) is present, it plays the cycle (Test Connection, lookup then create per user,
// then its read-back check); otherwise a minimal driver here does the cycle itself: for each assigned user,
// look the user up by the matching attribute (userName = mobile) and create it when nobody is found, with
// a fixed number of users in flight. Either way, every status a healthy gateway should never answer counts.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createBody } from "./cases.ts";
import { ROOT } from "./workers.ts";

export type CycleResult = {
  /** Which driver played the cycle. */
  driver: string;
  users: number;
  requests: number;
  seconds: number;
  rps: number;
  statuses: Record<string, number>;
  unexpected: number;
};

export async function runInitialCycle(options: {
  url: URL;
  headers: (body: boolean) => Record<string, string>;
  users: number;
  concurrency: number;
  mobileOf: (i: number) => string;
}): Promise<CycleResult> {
  const statuses: Record<string, number> = {};
  let unexpected = 0;
  let requests = 0;
  const tally = (status: number, expected: number) => {
    requests++;
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status !== expected) unexpected++;
  };
  let nextUser = 0;
  const started = performance.now();
  const worker = async () => {
    while (nextUser < options.users) {
      const number = options.mobileOf(nextUser++);
      const lookup = await fetch(new URL(`/scim/v2/Users?filter=userName+eq+%22${number}%22`, options.url), { headers: options.headers(false) });
      const found = (await lookup.json()) as { totalResults?: number };
      tally(lookup.status, 200);
      if (lookup.status !== 200 || found.totalResults !== 0) {
        if (lookup.status === 200) unexpected++;
        continue;
      }
      const created = await fetch(new URL("/scim/v2/Users", options.url), { method: "POST", headers: options.headers(true), body: createBody(number) });
      await created.arrayBuffer();
      tally(created.status, 201);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { driver: "minimal initial-cycle driver (test/bench/initial-cycle.ts)", users: options.users, requests, seconds, rps: requests / seconds, statuses, unexpected };
}

const SIMULATOR = join(ROOT, "src/tools/entra-sim/run-simulation.ts");

type SimulatorSummary = {
  ok: boolean;
  statuses: Record<string, number>;
  cycleReports: { cycle: number; users: number; requests: number; ms: number }[];
  unexpected: unknown[];
  mismatches: string[];
};

/** Issue 4's simulator, one cycle (the initial one); undefined when the simulator is not in the tree. */
export async function runSimulatorCycle(options: {
  url: URL;
  tenantId: string;
  token: string;
  users: number;
  concurrency: number;
  managers: string[];
}): Promise<CycleResult | undefined> {
  if (!existsSync(SIMULATOR)) return undefined;
  // Loaded by path, so the bench builds and type-checks whether or not the simulator has landed.
  const simulator = (await import(SIMULATOR)) as { runSimulation: (options: unknown, deps: unknown) => Promise<SimulatorSummary> };
  const summary = await simulator.runSimulation(
    {
      baseUrl: new URL("/scim/v2", options.url).href,
      tenantId: options.tenantId,
      token: options.token,
      users: options.users,
      cycles: 1,
      concurrency: options.concurrency,
      shape: "aadOptscim062020",
      managers: options.managers,
      seed: 5,
    },
    { fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init), now: () => performance.now(), sleep: (ms: number) => new Promise((r) => setTimeout(r, ms)) },
  );
  const initial = summary.cycleReports[0] ?? { users: 0, requests: 0, ms: Number.NaN };
  const seconds = initial.ms / 1000;
  return {
    driver: "issue 4's Entra simulator (src/tools/entra-sim/run-simulation.ts), initial cycle; statuses include its Test Connection and read-back",
    users: initial.users,
    requests: initial.requests,
    seconds,
    rps: initial.requests / seconds,
    statuses: summary.statuses,
    unexpected: summary.unexpected.length + summary.mismatches.length,
  };
}
