// `npm run bench [-- --quick] [-- --check]`: the gateway against its storage floor, on workerd.
//
// Builds the real bundle (wrangler deploy --dry-run, which also gives the gzip size), the baseline Worker
// and their instrumented twins; starts each side on its own Miniflare (own workerd, own D1/KV/Queue);
// seeds both identically; counts D1 statements per case; then, round after round, drives every case on
// both sides back to back (alternating which goes first) with autocannon, so each ratio compares runs
// made under the same machine load. Ends with an Entra-style initial cycle, the table, results/latest.*
// and results/chart.svg. --check exits 1 when a budget of issue 5 §2 is missed.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { parseCommandLine } from "../../src/tools/command-line.ts";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { benchCases, type Case, type World } from "./cases.ts";
import { runInitialCycle, runSimulatorCycle } from "./initial-cycle.ts";
import { measureHostileInputs, worstOf } from "./hostile.ts";
import { runLoad, type LoadResult } from "./load.ts";
import { evaluateBudgets, writeResults, type BenchResults, type CaseResult } from "./report.ts";
import { listQueryEvidence } from "./list-query.ts";
import { benchTenantId, CREATED_SERIES, mobile, userId } from "./seed.ts";
import { countActivity, countStatements, sameSql } from "./statements.ts";
import { buildBundle, residentMiB, ROOT, sampleRss, startSide, stopSide, type Side } from "./workers.ts";
import { baselineWorld, DeletePools, gatewayWorld, prepareStorage, seedWorld, TENANT, tenantTokens, templateUser } from "./world.ts";

const USAGE = `usage: npm run bench [-- --quick] [-- --check] [-- --rounds <n>] [-- --duration <s>] [-- --only <case,...>]
  --quick     smaller tenants, one short round (about a minute); results/quick.*, not committed
  --check     exit 1 when a budget is missed (docs/performance.md, "Budgets")
  --rounds    rounds per case (default 5, or 1 with --quick)
  --duration  seconds of load per case and round (default 4, or 1 with --quick)
  --only      run only these case ids (comma-separated); results/quick.*`;
const values = parseCommandLine("bench", USAGE, {
  quick: { type: "boolean" },
  check: { type: "boolean" },
  rounds: { type: "string" },
  duration: { type: "string" },
  only: { type: "string" },
});
const quick = values.quick === true;

const MODE = quick
  ? { main: 10_000, small: 1_000, ten: 1_000, rounds: 1, duration: 1, warmup: 0.25, deleteAmount: 300, e2eUsers: 200 }
  : { main: 100_000, small: 1_000, ten: 10_000, rounds: 5, duration: 4, warmup: 1, deleteAmount: 4_000, e2eUsers: 10_000 };
const rounds = Number(values.rounds ?? MODE.rounds);
const duration = Number(values.duration ?? MODE.duration);
const only = values.only?.split(",");
const E2E_CONCURRENCY = 8;

const log = (message: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

async function main(): Promise<void> {
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), "tm-bench-build-"));
  log(`building the bundles into ${work}`);
  const [gatewayBundle, gatewayCounting, baselineBundle, baselineCounting] = await Promise.all([
    buildBundle(undefined, join(work, "gateway")),
    buildBundle("test/bench/counting-entry.ts", join(work, "gateway-counting")),
    buildBundle("test/bench/baseline-worker.ts", join(work, "baseline")),
    buildBundle("test/bench/counting-baseline-entry.ts", join(work, "baseline-counting")),
  ]);
  log(`gateway bundle: ${gatewayBundle.totalKiB} KiB, gzip ${gatewayBundle.gzipKiB} KiB`);

  const gateway = await startSide("gateway", gatewayBundle.path, gatewayCounting.path);
  const baseline = await startSide("baseline", baselineBundle.path, baselineCounting.path);
  const memoryAtStart = { gateway: residentMiB(gateway.workerdPid), baseline: residentMiB(baseline.workerdPid) };
  try {
    const sizes = { main: MODE.main, small: MODE.small, ten: MODE.ten };
    const tokens = await tenantTokens();
    for (const side of [gateway, baseline]) await prepareStorage(side);
    const template = await templateUser(gateway, tokens.get(benchTenantId(TENANT.template)) as string);
    const worlds = { gateway: gatewayWorld(tokens, sizes), baseline: baselineWorld(sizes) };
    const worldOf = (side: Side): World => worlds[side.name as "gateway" | "baseline"];
    const seedMs: Record<string, number> = {};
    for (const side of [gateway, baseline]) {
      seedMs[side.name] = await seedWorld(side, worldOf(side), template);
      log(`${side.name}: seeded ${(sizes.main + sizes.small + 10 * sizes.ten).toLocaleString("en-US")} users in ${((seedMs[side.name] ?? 0) / 1000).toFixed(1)} s`);
    }

    log("list query plan and alternatives");
    const listQuery = await listQueryEvidence(gateway, benchTenantId(TENANT.main), sizes.main, (i) => userId(TENANT.main, i));

    const cases = benchCases({ deleteAmount: MODE.deleteAmount, deepStartIndex: Math.floor(sizes.main * 0.9) + 1, ...sizes }).filter((c) => !only || only.includes(c.id));
    const pools = new DeletePools(template);

    log("statement pass");
    const statements: Record<string, CaseResult["statements"]> = {};
    for (const benchCase of cases) {
      if (benchCase.id === "delete") for (const side of [gateway, baseline]) await pools.refill(side, worldOf(side), 10);
      const g = await countStatements(gateway, worlds.gateway, benchCase);
      const b = await countStatements(baseline, worlds.baseline, benchCase);
      statements[benchCase.id] = { gateway: g, baseline: b, sameSql: sameSql(g.sql, b.sql) };
    }

    // Issue 14 §1: the tenant's activity writes, averaged over many lookups (a probe-only run uses probes).
    const activityCase = cases.find((c) => c.id === "filter") ?? cases[0];
    const activity = activityCase ? { case: activityCase.title, ...(await countActivity(gateway, worlds.gateway, activityCase)) } : undefined;
    if (activity) log(`activity: ${activity.statements} statements for ${activity.requests} requests (${activity.case}), ${activity.perRequest.toFixed(4)} per request`);

    const runs = new Map<string, { gateway: LoadResult[]; baseline: LoadResult[] }>(cases.map((c) => [c.id, { gateway: [], baseline: [] }]));
    const samplers = { gateway: sampleRss(gateway.workerdPid), baseline: sampleRss(baseline.workerdPid) };
    for (let round = 0; round < rounds; round++) {
      for (const benchCase of cases) {
        const order = round % 2 === 0 ? [baseline, gateway] : [gateway, baseline];
        for (const side of order) {
          const world = worldOf(side);
          const result = await measure(side, world, benchCase, pools);
          runs.get(benchCase.id)?.[side.name as "gateway" | "baseline"].push(result);
          log(`round ${round + 1}/${rounds} ${benchCase.id} ${side.name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, workerd ${result.workerdCpuMs.toFixed(2)} / node ${result.nodeCpuMs.toFixed(2)} CPU ms/req${result.unexpected ? `, ${result.unexpected} unexpected ${JSON.stringify(result.statuses)}` : ""}`);
        }
      }
      // Users created by POST would grow the tenant from round to round; the rounds should all see one size.
      for (const side of [gateway, baseline]) {
        await side.db.prepare("DELETE FROM users WHERE tenant_id = ? AND mobile LIKE ?").bind(benchTenantId(TENANT.main), `1${CREATED_SERIES}%`).run();
      }
    }

    log("hostile filters and PATCH bodies (issue 11 §2)");
    const hostile = await measureHostileInputs(gateway, (body) => worlds.gateway.headers(benchTenantId(TENANT.main), body), `/scim/v2/Users/${userId(TENANT.main, 0)}`);
    const worst = worstOf(hostile);
    log(`hostile input: worst ${worst?.ms.toFixed(1)} ms (${worst?.name}, ${worst?.length} characters, status ${worst?.status}); statuses ${[...new Set(hostile.map((h) => h.status))].join(", ")}`);

    log(`initial cycle of ${MODE.e2eUsers.toLocaleString("en-US")} users`);
    const e2eTenant = benchTenantId(TENANT.e2e);
    const e2eSamplers = sampleRss(gateway.workerdPid);
    const e2e =
      (await runSimulatorCycle({ url: gateway.url, tenantId: e2eTenant, token: tokens.get(e2eTenant) as string, users: MODE.e2eUsers, concurrency: E2E_CONCURRENCY, managers: ["Ann Manager"] })) ??
      (await runInitialCycle({ url: gateway.url, headers: (body) => worlds.gateway.headers(e2eTenant, body), users: MODE.e2eUsers, concurrency: E2E_CONCURRENCY, mobileOf: (i) => mobile(5, i) }));
    const e2ePeak = e2eSamplers.stop();
    log(`initial cycle: ${e2e.rps.toFixed(0)} req/s, ${e2e.unexpected} unexpected (${e2e.driver})`);
    const memory = {
      gateway: { atStartMiB: memoryAtStart.gateway?.rss ?? 0, peakDuringLoadMiB: Math.max(samplers.gateway.stop(), e2ePeak), highWaterMiB: residentMiB(gateway.workerdPid)?.peak ?? 0 },
      baseline: { atStartMiB: memoryAtStart.baseline?.rss ?? 0, peakDuringLoadMiB: samplers.baseline.stop(), highWaterMiB: residentMiB(baseline.workerdPid)?.peak ?? 0 },
    };

    const results: BenchResults = {
      finishedAt: new Date().toISOString(),
      mode: quick ? "quick" : only ? "partial" : "full",
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", node: process.version },
      sizes,
      rounds,
      durationSeconds: duration,
      bundle: { gzipKiB: gatewayBundle.gzipKiB, totalKiB: gatewayBundle.totalKiB },
      seedSeconds: Object.fromEntries(Object.entries(seedMs).map(([k, v]) => [k, v / 1000])),
      cases: cases.map((c) => ({
        id: c.id,
        title: c.title,
        kind: c.kind,
        connections: c.connections,
        ...(c.amount ? { amount: c.amount } : {}),
        gateway: runs.get(c.id)?.gateway ?? [],
        baseline: runs.get(c.id)?.baseline ?? [],
        statements: statements[c.id] as CaseResult["statements"],
      })),
      memory,
      ...(activity ? { activity } : {}),
      listQuery,
      hostile,
      workerLogLines: { gateway: gateway.logLines.count, baseline: baseline.logLines.count },
      e2e,
      totalSeconds: (Date.now() - started) / 1000,
    };
    const checks = evaluateBudgets(results);
    writeResults(results, checks);
    if (values.check === true && checks.some((c) => !c.pass)) process.exitCode = 1;
  } finally {
    await stopSide(gateway);
    await stopSide(baseline);
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Cases with a fixed request count (DELETE: one seeded user per request) are sized from the warm-up's rate
 * to last about `duration`, so that a slow machine does not stretch the run.
 */
async function measure(side: Side, world: World, benchCase: Case, pools: DeletePools): Promise<LoadResult> {
  const load = async (seconds: number, count: number | undefined) => {
    if (count) await pools.refill(side, world, count);
    return runLoad({ url: side.url, pid: side.workerdPid, connections: benchCase.connections, duration: seconds, ...(count ? { amount: count } : {}), next: benchCase.next(world), expect: benchCase.expect });
  };
  const warm = await load(MODE.warmup, benchCase.amount ? benchCase.connections * 10 : undefined);
  const amount = benchCase.amount ? Math.max(benchCase.connections * 10, Math.min(benchCase.amount, Math.round(warm.rps * duration))) : undefined;
  return load(duration, amount);
}

mkdirSync(join(ROOT, "test/bench/results"), { recursive: true });
await main();
