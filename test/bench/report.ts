// What a bench run concludes: medians of the rounds (min and max beside them), the gateway/baseline ratio
// of each round (both measured back to back), the budgets of issue 5 §2, and the outputs: a table on
// stdout, results/latest.json, results/latest.md and results/chart.svg.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderChart } from "./chart.ts";
import { worstOf, type HostileTiming } from "./hostile.ts";
import type { CycleResult } from "./initial-cycle.ts";
import type { ListQueryEvidence } from "./list-query.ts";
import type { LoadResult } from "./load.ts";
import type { StatementCounts } from "./statements.ts";
import { ROOT } from "./workers.ts";

export type CaseResult = {
  id: string;
  title: string;
  kind: "throughput" | "scale";
  connections: number;
  amount?: number;
  gateway: LoadResult[];
  baseline: LoadResult[];
  statements: { gateway: StatementCounts; baseline: StatementCounts; sameSql: boolean };
};

export type BenchResults = {
  finishedAt: string;
  /** "partial": a full-size run of some cases only (--only), kept out of latest.* like a quick one. */
  mode: "quick" | "full" | "partial";
  command: string;
  machine: { cpus: number; cpuModel: string; node: string };
  sizes: { main: number; small: number; ten: number };
  rounds: number;
  durationSeconds: number;
  bundle: { gzipKiB: number; totalKiB: number };
  seedSeconds: Record<string, number>;
  cases: CaseResult[];
  memory: Record<"gateway" | "baseline", { atStartMiB: number; peakDuringLoadMiB: number; highWaterMiB: number }>;
  workerLogLines: Record<string, number>;
  e2e: CycleResult;
  listQuery: ListQueryEvidence;
  /** Issue 11 §2: each hostile filter and PATCH body, its worst time of a few. */
  hostile: HostileTiming[];
  /** Issue 14 §1: the statements recording the tenants' activity, over many requests of one case. */
  activity?: { case: string; requests: number; statements: number; perRequest: number };
  totalSeconds: number;
};

export type Check = { name: string; pass: boolean; value: string; budget: string };

export const BUDGET = { ratio: 0.8, filterScale: 1.2, deepPage: 3, bundleKiB: 350, entraRps: 25, hostileMs: 1_000, activityPerRequest: 1 / 50 };

export type Spread = { median: number; min: number; max: number };
export const spread = (values: number[]): Spread => {
  const sorted = [...values].filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number };
};

export type CaseSummary = {
  gatewayRps: Spread;
  baselineRps: Spread;
  /** Per round, gateway req/s over the baseline's measured right next to it. */
  ratio: Spread;
  gatewayP50: Spread;
  gatewayP99: Spread;
  baselineP50: Spread;
  baselineP99: Spread;
  gatewayCpuMs: Spread;
  baselineCpuMs: Spread;
  unexpected: number;
};

export function summarise(c: CaseResult): CaseSummary {
  const ratios = c.gateway.map((g, i) => g.rps / (c.baseline[i]?.rps ?? Number.NaN));
  const sum = (runs: LoadResult[]) => runs.reduce((n, r) => n + r.unexpected + r.errors, 0);
  return {
    gatewayRps: spread(c.gateway.map((r) => r.rps)),
    baselineRps: spread(c.baseline.map((r) => r.rps)),
    ratio: spread(ratios),
    gatewayP50: spread(c.gateway.map((r) => r.p50)),
    gatewayP99: spread(c.gateway.map((r) => r.p99)),
    baselineP50: spread(c.baseline.map((r) => r.p50)),
    baselineP99: spread(c.baseline.map((r) => r.p99)),
    gatewayCpuMs: spread(c.gateway.map((r) => r.workerdCpuMs)),
    baselineCpuMs: spread(c.baseline.map((r) => r.workerdCpuMs)),
    unexpected: sum(c.gateway) + sum(c.baseline),
  };
}

const find = (results: BenchResults, id: string) => results.cases.find((c) => c.id === id);

/**
 * The gateway's p50 in one case over its p50 in another, per round, as the throughput ratios are taken:
 * within a round the two cases run minutes apart at most, so a disturbance of the shared machine that
 * spans a round or two moves both and leaves the median of the per-round ratios alone.
 */
function p50RatioPerRound(numerator: CaseResult, denominator: CaseResult): Spread {
  return spread(numerator.gateway.map((run, i) => run.p50 / (denominator.gateway[i]?.p50 ?? Number.NaN)));
}

const fmtRatio = (ratio: Spread) => `${ratio.median.toFixed(2)}x (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`;

export function evaluateBudgets(results: BenchResults): Check[] {
  const checks: Check[] = [];
  for (const c of results.cases) {
    const s = summarise(c);
    if (c.kind === "throughput") {
      checks.push({ name: `throughput ratio: ${c.title}`, pass: s.ratio.median >= BUDGET.ratio, value: `${s.ratio.median.toFixed(2)}x`, budget: `>= ${BUDGET.ratio}x` });
    }
    if (s.unexpected > 0) checks.push({ name: `statuses: ${c.title}`, pass: false, value: `${s.unexpected} unexpected`, budget: "0" });
  }
  const small = find(results, "filter-small");
  const large = find(results, "filter-large");
  if (small && large) {
    const ratio = p50RatioPerRound(large, small);
    checks.push({
      name: `matching-filter p50, ${results.sizes.main.toLocaleString("en-US")} vs ${results.sizes.small.toLocaleString("en-US")} users`,
      pass: ratio.median <= BUDGET.filterScale,
      value: fmtRatio(ratio),
      budget: `<= ${BUDGET.filterScale}x`,
    });
  }
  const first = find(results, "list");
  const deep = find(results, "list-deep");
  if (first && deep) {
    const ratio = p50RatioPerRound(deep, first);
    checks.push({ name: "deep page p50 vs first page p50", pass: ratio.median <= BUDGET.deepPage, value: fmtRatio(ratio), budget: `<= ${BUDGET.deepPage}x` });
  }
  checks.push({ name: "bundle (gzip)", pass: results.bundle.gzipKiB <= BUDGET.bundleKiB, value: `${results.bundle.gzipKiB} KiB`, budget: `<= ${BUDGET.bundleKiB} KiB` });
  const e2e = results.e2e;
  checks.push({ name: "initial cycle: unexpected statuses", pass: e2e.unexpected === 0, value: String(e2e.unexpected), budget: "0" });
  checks.push({ name: "initial cycle: sustained req/s (Microsoft's bar per tenant)", pass: e2e.rps >= BUDGET.entraRps, value: e2e.rps.toFixed(0), budget: `>= ${BUDGET.entraRps}` });
  const worst = worstOf(results.hostile);
  if (worst) {
    const refused = results.hostile.every((h) => h.status >= 400 && h.status < 500);
    checks.push({
      name: `hostile input (issue 11 §2): worst of ${results.hostile.length} filters and PATCH bodies, all answered 4xx`,
      pass: worst.ms < BUDGET.hostileMs && refused,
      value: `${worst.ms.toFixed(1)} ms${refused ? "" : ", not all 4xx"}`,
      budget: `< ${BUDGET.hostileMs} ms`,
    });
  }
  if (results.activity) {
    const a = results.activity;
    checks.push({
      name: `activity statements per SCIM request (issue 14 §1; ${a.requests} requests, ${a.case})`,
      pass: a.perRequest <= BUDGET.activityPerRequest,
      value: `${a.perRequest.toFixed(4)} (${a.statements})`,
      budget: `<= ${BUDGET.activityPerRequest} (1 per 50)`,
    });
  }
  for (const c of results.cases) {
    const st = c.statements.gateway;
    const expected = statementBudget(c.id);
    if (expected) {
      const actual = `${fmtCount(st.single)} read + ${fmtCount(st.batches)} batch`;
      checks.push({ name: `D1 per request: ${c.title}`, pass: actual === expected, value: actual, budget: expected });
    }
    if (st.fetches > 0) checks.push({ name: `JWKS fetches once warm: ${c.title}`, pass: false, value: String(st.fetches), budget: "0" });
  }
  return checks;
}

/** Issue 5 §1: lookup 1 statement; create 1 batch; patch 1 read + 1 batch. */
const statementBudget = (id: string): string | undefined =>
  ({ filter: "1 read + 0 batch", get: "1 read + 0 batch", create: "0 read + 1 batch", patch: "1 read + 1 batch", disable: "1 read + 1 batch" })[id];

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const rps = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const range = (s: Spread, f: (v: number) => string) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`;

export function caseTable(results: BenchResults): string {
  const lines = [
    "| case | conn. | gateway req/s | baseline req/s | gateway/baseline | gateway p50 / p99 ms | baseline p50 / p99 ms | workerd CPU ms/req (gateway / baseline) | D1 per request (gateway / baseline) | same SQL |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | :---: |",
  ];
  for (const c of results.cases) {
    const s = summarise(c);
    const d1 = (st: StatementCounts) => `${fmtCount(st.statements)}${st.afterStatements ? ` + ${fmtCount(st.afterStatements)} after` : ""}`;
    lines.push(
      `| ${c.title} | ${c.connections} | ${range(s.gatewayRps, rps)} | ${range(s.baselineRps, rps)} | **${range(s.ratio, (v) => v.toFixed(2))}** | ${ms(s.gatewayP50.median)} / ${ms(s.gatewayP99.median)} | ${ms(s.baselineP50.median)} / ${ms(s.baselineP99.median)} | ${ms(s.gatewayCpuMs.median)} / ${ms(s.baselineCpuMs.median)} | ${d1(c.statements.gateway)} / ${d1(c.statements.baseline)} | ${c.statements.sameSql ? "yes" : "**no**"} |`,
    );
  }
  return lines.join("\n");
}

const fmtCount = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

export function checkTable(checks: Check[]): string {
  return ["| budget | value | limit | |", "| --- | ---: | ---: | :---: |", ...checks.map((c) => `| ${c.name} | ${c.value} | ${c.budget} | ${c.pass ? "pass" : "**FAIL**"} |`)].join("\n");
}

export function markdown(results: BenchResults, checks: Check[]): string {
  const e2e = results.e2e;
  const m = results.memory;
  const sizes = results.sizes;
  const n = (v: number) => v.toLocaleString("en-US");
  return `# Bench: the gateway against its storage floor (${results.mode})

\`${results.command}\`, ${results.finishedAt}, ${results.machine.cpus} × ${results.machine.cpuModel}, Node ${results.machine.node}.
Tenants: ${n(sizes.main)} users (the cases run here), ${n(sizes.small)}, and 10 × ${n(sizes.ten)}. ${results.rounds} round(s) of ${results.durationSeconds} s per case and side after a warm-up; medians, (min–max) across rounds; the ratio is taken per round between runs made back to back.

${caseTable(results)}

"workerd CPU" is the CPU time of the whole workerd process (the Worker, its HTTP front and Miniflare's D1/KV/Queue/rate-limit simulators) per request: less disturbed than req/s by other programs on the machine. "D1 per request" counts statements while the request is answered, "+ n after" those the outbox relay runs after the response (waitUntil). "same SQL": the baseline ran exactly the gateway's statements.

## Budgets (issue 5 §2)

${checkTable(checks)}

## Other numbers

- Bundle: ${results.bundle.totalKiB} KiB, **${results.bundle.gzipKiB} KiB gzip** (\`wrangler deploy --dry-run\`).
- workerd resident memory (the Worker plus Miniflare's local D1/KV/Queue simulators in the same process): gateway ${m.gateway.atStartMiB.toFixed(0)} MiB at start, peak ${m.gateway.peakDuringLoadMiB.toFixed(0)} MiB during the load (high-water ${m.gateway.highWaterMiB.toFixed(0)} MiB, seeding included); baseline ${m.baseline.atStartMiB.toFixed(0)} / ${m.baseline.peakDuringLoadMiB.toFixed(0)} / ${m.baseline.highWaterMiB.toFixed(0)} MiB.
- Initial cycle (lookup, then create, per user; ${n(e2e.users)} users, 8 in flight) against the gateway: **${e2e.rps.toFixed(0)} req/s** sustained over ${e2e.seconds.toFixed(1)} s (${n(e2e.requests)} requests; statuses ${JSON.stringify(e2e.statuses)}; ${e2e.unexpected} unexpected). Driver: ${e2e.driver}.
${results.activity ? `- Tenant activity (issue 14 §1): ${results.activity.statements} D1 statements for ${n(results.activity.requests)} requests (${results.activity.case}, one at a time), **${results.activity.perRequest.toFixed(4)} per request**; left out of "D1 per request" and "same SQL" above (the baseline records none).\n` : ""}- Hostile input (issue 11 §2), each sent 3 times to the gateway, worst time: ${hostileLine(results.hostile)}.
- Seeding: ${Object.entries(results.seedSeconds).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(", ")}. Whole run ${results.totalSeconds.toFixed(0)} s.

## GET /Users paging at ${n(sizes.main)} users (D1 alone, median of 5, ms)

| query | first page | page at offset ${n(results.listQuery.deepOffset)} |
| --- | ---: | ---: |
${results.listQuery.timings.map((t) => `| ${t.variant} | ${ms(t.first)} | ${ms(t.deep)} |`).join("\n")}

Plan of the window-count query: ${results.listQuery.plan.map((p) => `\`${p}\``).join("; ")}.

![ratio per case; latency vs tenant size](chart.svg)
`;
}

function hostileLine(timings: HostileTiming[]): string {
  const worst = worstOf(timings);
  if (!worst) return "not measured";
  const statuses = [...new Set(timings.map((h) => h.status))].sort().join(", ");
  return `**${ms(worst.ms)} ms** at worst (${worst.name}, ${worst.length.toLocaleString("en-US")} characters) over ${timings.length} inputs, answered ${statuses}`;
}

export function writeResults(results: BenchResults, checks: Check[]): void {
  const dir = join(ROOT, "test/bench/results");
  // A --quick or --only run must not overwrite the full run's results, which the README quotes.
  const [name, chart] = results.mode === "full" ? ["latest", "chart.svg"] : ["quick", "quick-chart.svg"];
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify({ ...results, checks }, null, 2)}\n`);
  writeFileSync(join(dir, `${name}.md`), markdown(results, checks).replace("](chart.svg)", `](${chart})`));
  writeFileSync(join(dir, chart), renderChart(results));
  console.log(`\n${caseTable(results)}\n\n${checkTable(checks)}\n`);
  console.log(`results: test/bench/results/${name}.json, ${name}.md, ${chart}`);
}
