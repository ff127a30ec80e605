// The statement pass: a few requests of each case, one at a time, through the instrumented twins of both
// Workers. Counts what reaches D1 while the request is answered and after the response (the outbox relay
// runs in waitUntil), KV reads and outbound fetches, and keeps the SQL so that the bench can check that
// the baseline runs the gateway's very statements.
import type { D1Counts } from "./counting-d1.ts";
import type { Case, World } from "./cases.ts";
import type { Side } from "./workers.ts";

export type StatementCounts = {
  /** Means per request, while it is answered: statements, those run alone (reads), and batches. */
  statements: number;
  single: number;
  batches: number;
  /** Means per request, after the response (waitUntil); the tenant's activity writes are apart (below). */
  afterStatements: number;
  /** Means per request: the statements writing the tenant's activity (issue 14 §1), never the baseline's. */
  activityStatements: number;
  kvGets: number;
  fetches: number;
  /** The SQL of one request, in order, as the instrumented binding saw it. */
  sql: string[];
  statuses: number[];
};

type Counts = { during: D1Counts; after: D1Counts; kvGets: number; fetches: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readCounts(side: Side): Promise<Counts> {
  return (await (await side.counting.fetch("http://bench/__bench/counts")).json()) as Counts;
}

/** Waits for the relay to finish (a read 40 ms later sees nothing new) and adds up what it saw. */
async function settle(side: Side): Promise<Counts> {
  const total = await readCounts(side);
  for (let quiet = 0; quiet < 1; ) {
    await sleep(40);
    const more = await readCounts(side);
    if (more.during.statements + more.after.statements === 0) quiet++;
    for (const phase of ["during", "after"] as const) {
      total[phase].statements += more[phase].statements;
      total[phase].single += more[phase].single;
      total[phase].batches += more[phase].batches;
      total[phase].log.push(...more[phase].log);
    }
    total.kvGets += more.kvGets;
    total.fetches += more.fetches;
  }
  return total;
}

/** Statements of a log entry that writes a tenant's activity (src/activity/store.ts: one batch of its own). */
const ACTIVITY_BATCH = /^batch\[(\d+)\]:insert into "tenant_activity_counts"/;
export const activityStatementsOf = (entry: string): number => Number(ACTIVITY_BATCH.exec(entry)?.[1] ?? 0);

/** The counts without the activity writes, so the storage work of both sides compares like for like. */
function withoutActivity(counts: D1Counts): { counts: D1Counts; activity: number } {
  const activity = counts.log.reduce((n, entry) => n + activityStatementsOf(entry), 0);
  const batches = counts.log.filter((entry) => activityStatementsOf(entry) > 0).length;
  return {
    counts: { ...counts, statements: counts.statements - activity, batches: counts.batches - batches, log: counts.log.filter((entry) => activityStatementsOf(entry) === 0) },
    activity,
  };
}

async function send(side: Side, next: () => { method: string; path: string; headers?: Record<string, string>; body?: string }) {
  const request = next();
  const response = await side.counting.fetch(`http://bench${request.path}`, {
    method: request.method,
    headers: request.headers ?? {},
    ...(request.body ? { body: request.body } : {}),
  });
  await response.arrayBuffer();
  return response.status;
}

export async function countStatements(side: Side, world: World, benchCase: Case, requests = 2): Promise<StatementCounts> {
  const next = benchCase.next(world);
  // A first request warms the isolate's caches (verified token, allow-list); counting starts after it.
  await send(side, next);
  await settle(side);
  const result: StatementCounts = { statements: 0, single: 0, batches: 0, afterStatements: 0, activityStatements: 0, kvGets: 0, fetches: 0, sql: [], statuses: [] };
  for (let i = 0; i < requests; i++) {
    result.statuses.push(await send(side, next));
    const settled = await settle(side);
    const during = withoutActivity(settled.during);
    const after = withoutActivity(settled.after);
    const counts = { ...settled, during: during.counts, after: after.counts };
    result.activityStatements += (during.activity + after.activity) / requests;
    result.statements += counts.during.statements / requests;
    result.single += counts.during.single / requests;
    result.batches += counts.during.batches / requests;
    result.afterStatements += counts.after.statements / requests;
    result.kvGets += counts.kvGets / requests;
    result.fetches += counts.fetches / requests;
    if (i === 0) result.sql = [...counts.during.log, ...counts.after.log.map((s) => `after response: ${s}`)];
  }
  return result;
}

/** The same statements in the same order, whatever method ran them (first/all/raw). */
export const sameSql = (a: string[], b: string[]): boolean =>
  a.length === b.length && a.every((s, i) => s.replace(/^(first|all|raw|run):/, "") === (b[i] ?? "").replace(/^(first|all|raw|run):/, ""));

export type ActivityCost = { requests: number; statements: number; perRequest: number };

/**
 * Issue 14 §1's budget: the statements that record a tenant's activity, over many requests of one case
 * sent one at a time (the per-request pass above sees too few to average: a tenant's requests are written
 * on its first request of a minute, then once per 100 or per 30 s).
 */
export async function countActivity(side: Side, world: World, benchCase: Case, requests = 300): Promise<ActivityCost> {
  const next = benchCase.next(world);
  await settle(side);
  let statements = 0;
  for (let i = 0; i < requests; i++) {
    await send(side, next);
    // Read (and reset) every 50 requests: the counting worker keeps each statement's SQL until then.
    if ((i + 1) % 50 === 0 || i === requests - 1) {
      const counts = await settle(side);
      statements += [...counts.during.log, ...counts.after.log].reduce((n, entry) => n + activityStatementsOf(entry), 0);
    }
  }
  return { requests, statements, perRequest: statements / requests };
}
