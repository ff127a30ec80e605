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
  /** Means per request, after the response (waitUntil). */
  afterStatements: number;
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
  const result: StatementCounts = { statements: 0, single: 0, batches: 0, afterStatements: 0, kvGets: 0, fetches: 0, sql: [], statuses: [] };
  for (let i = 0; i < requests; i++) {
    result.statuses.push(await send(side, next));
    const counts = await settle(side);
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
