// npm run soak -- [--tenants 4] [--users 200] [--minutes 3] [--concurrency 8] [--cycles-per-round 4]
//                 [--rate-limit <n>] [--settle-seconds 180] [--seed 1] [--move-at-seconds <s>] [--results soak]
//
// Issue 15: the tenants alternate between the shards wrangler.toml declares (tenant 1 on DB, tenant 2 on
// DB_2, ...), and in the middle of the load (--move-at-seconds, default half the time; 0: no move) tenant 1
// is moved to the last shard live (src/tools/tenants/move/move.ts) while its simulator keeps writing. The
// move runs to "unfenced" under load; its cleanup ("cleaned") runs after the check, which reads each
// tenant's users from the shard its record names and the events of every shard.
//
// Issue 6 §4: sustained load well above Entra's pace from several tenants at once, on the real bundle
// running on workerd, with forwarding really running (queue consumer -> core emulator in this process), for
// a few minutes; then the outbox must settle and the core must hold exactly what D1 holds, each change
// applied at most once. Each tenant runs the Entra sync-cycle simulator (src/tools/entra-sim/run-simulation.ts) in
// rounds (Test Connection, an initial cycle reconciling every user, incremental cycles of realistic
// changes, a full read-back) until the time is up; the same seed each round, so round n+1's initial cycle
// undoes round n's changes (re-creating deleted users, renaming back) before the same changes come again.
// The outbox cron is not run by Miniflare; this script calls the scheduled handler every --cron-seconds.
//
// Exit status: 0 only with zero 5xx, zero network errors, zero simulator mismatches, zero unsettled
// events, zero users whose core state differs from D1, zero duplicated applications.
// Results: test/bench/results/soak.json and soak.md (--results names them otherwise). Everything listens and calls on 127.0.0.1 only.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { JWK } from "jose";
import { signDevToken } from "../../src/tools/dev/dev-token.ts";
import { REQUESTS_PER_LEASE } from "../../src/http/tenant-rate-limit.ts";
import { runSimulation, type SimulationSummary } from "../../src/tools/entra-sim/run-simulation.ts";
import { migrationStatements } from "./migrations.ts";
import { startCore, startSoakGateway, stopSoak, type Core, type SoakGateway } from "./soak-gateway.ts";
import { checkCoreRows, percentile, readEvents, readUsers, type CoreCheck, type LiveUser } from "./soak-check.ts";
import { LOCAL_SETTLE_MS, moveTenant, type MovePorts, type MoveState } from "../../src/tools/tenants/move/move.ts";
import { shardOf, type ShardName } from "../../src/tenants/shard.ts";
import { parseStoredRecord } from "../../src/tenants/record.ts";
import { buildBundle, ROOT } from "./workers.ts";

const { values } = parseArgs({
  options: {
    tenants: { type: "string", default: "4" },
    users: { type: "string", default: "200" },
    minutes: { type: "string", default: "3" },
    concurrency: { type: "string", default: "8" },
    "cycles-per-round": { type: "string", default: "4" },
    "change-rate": { type: "string", default: "0.3" },
    "rate-limit": { type: "string" },
    "settle-seconds": { type: "string", default: "180" },
    "cron-seconds": { type: "string", default: "20" },
    seed: { type: "string", default: "1" },
    "move-at-seconds": { type: "string" },
    results: { type: "string", default: "soak" },
    help: { type: "boolean", short: "h" },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(readFileSync(new URL(import.meta.url), "utf8").split("\n").slice(0, 3).join("\n").replace(/^\/\/ ?/gm, "") + "\n");
  process.exit(0);
}
const num = (name: keyof typeof values, min: number): number => {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}`);
  return n;
};
const opts = {
  tenants: Math.floor(num("tenants", 1)),
  users: Math.floor(num("users", 1)),
  minutes: num("minutes", 0),
  concurrency: Math.floor(num("concurrency", 1)),
  cyclesPerRound: Math.floor(num("cycles-per-round", 2)),
  changeRate: num("change-rate", 0),
  rateLimit: values["rate-limit"] === undefined ? undefined : Math.floor(num("rate-limit", 1)),
  settleSeconds: num("settle-seconds", 1),
  cronSeconds: num("cron-seconds", 1),
  seed: Math.floor(num("seed", 0)),
  moveAtSeconds: values["move-at-seconds"] === undefined ? undefined : num("move-at-seconds", 0),
};
const command = `npm run soak -- ${process.argv.slice(2).join(" ")}`.trim();

const MANAGERS = ["Ann Manager", "Bo Manager"];
const CORE_TOKEN = "soak-core-token";
const tenantIdOf = (k: number): string => `50a40000-0000-4000-8000-${(k + 1).toString(16).padStart(12, "0")}`;
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

/** `fenced`: a 503 + Retry-After of a tenant being moved between shards, which Entra (and the simulator) retries. */
type Sample = { status: number; ms: number; fenced?: boolean };

async function main(): Promise<number> {
  let core: Core | undefined;
  let gateway: SoakGateway | undefined;
  const outdir = mkdtempSync(join(tmpdir(), "tm-soak-bundle-"));
  try {
    log("building the bundle (wrangler deploy --dry-run)");
    const bundle = await buildBundle(undefined, outdir);
    core = await startCore(CORE_TOKEN);
    gateway = await startSoakGateway(bundle.path, core, { rateLimit: opts.rateLimit, maxBatchTimeoutSeconds: 0.5 });
    const gw = gateway;
    log(`gateway on ${gw.url.origin} (workerd), core emulator on ${core.url}; rate limit ${gw.rateLimit.limit * REQUESTS_PER_LEASE} requests/${gw.rateLimit.period}s per tenant (${gw.rateLimit.limit} leases, ${gw.rateLimit.source})`);

    const shardNames = Object.keys(gw.shards) as ShardName[];
    for (const d1 of Object.values(gw.shards)) await d1.batch(migrationStatements().map((sql) => d1.prepare(sql)));
    const jwk = JSON.parse(readFileSync(join(ROOT, "src/tools/dev/dev-signing-key.json"), "utf8")) as JWK;
    const tenants: { id: string; token: string }[] = [];
    for (let k = 0; k < opts.tenants; k++) {
      const id = tenantIdOf(k);
      const shard = shardNames[k % shardNames.length]!;
      const record = {
        accountId: `TM-SOAK-${k + 1}`,
        name: `Soak tenant ${k + 1}`,
        managers: MANAGERS,
        enabled: true,
        ...(shard === "DB" ? {} : { shard }),
        createdAt: new Date().toISOString(),
      };
      await gw.kv.put(`tenant:${id}`, JSON.stringify(record));
      tenants.push({ id, token: await signDevToken({ jwk, tenantId: id, expiresInSeconds: 4 * 3600 }) });
    }

    // Every SCIM call the simulators make, timed to the end of its body.
    const samples: Sample[] = [];
    const networkErrors: string[] = [];
    const fetchTimed = async (input: string, init?: RequestInit): Promise<Response> => {
      const started = performance.now();
      try {
        const response = await fetch(input, init);
        const body = await response.arrayBuffer();
        const fenced = response.status === 503 && response.headers.has("retry-after") && new TextDecoder().decode(body).includes("being moved to another database");
        samples.push({ status: response.status, ms: performance.now() - started, ...(fenced ? { fenced } : {}) });
        const nullBody = response.status === 204 || response.status === 205 || response.status === 304;
        return new Response(nullBody ? null : body, { status: response.status, headers: response.headers });
      } catch (error) {
        networkErrors.push(error instanceof Error ? error.message : String(error));
        throw error;
      }
    };

    // The outbox cron, as Cloudflare would run it (Miniflare does not).
    const cronRuns = { ok: 0, failed: 0 };
    const runCron = async () => {
      try {
        await gw.worker.scheduled({ cron: "* * * * *" });
        cronRuns.ok++;
      } catch (error) {
        cronRuns.failed++;
        log(`scheduled handler failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    const cron = setInterval(() => void runCron(), opts.cronSeconds * 1000);

    // The move in the middle: tenant 1, from its shard to the last one, while its simulator writes.
    const movePorts: MovePorts = {
      execute: async (shard, statements) => {
        const d1 = gw.shards[shard]!;
        return (await d1.batch(statements.map((sql) => d1.prepare(sql)))).map((r) => r.results as Record<string, unknown>[]);
      },
      store: {
        get: async (key) => (await gw.kv.get(key, "text")) ?? undefined,
        put: (key, value) => gw.kv.put(key, value),
        delete: (key) => gw.kv.delete(key),
        list: async () => {
          throw new Error("not needed by a move");
        },
      },
      // The soak's allow-list has no ledger (its records are put straight into KV): the flip is a KV write.
      recordShard: async (tenantId, shard, at) => {
        const record = JSON.parse((await gw.kv.get(`tenant:${tenantId}`, "text")) ?? "{}") as Record<string, unknown>;
        await gw.kv.put(`tenant:${tenantId}`, JSON.stringify({ ...record, shard, updatedAt: at }));
      },
      now: () => new Date(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      say: (line) => log(line),
    };
    const moveTo = shardNames.at(-1)!;
    const moveAt = opts.moveAtSeconds ?? (opts.minutes * 60) / 2;
    const moving =
      shardNames.length > 1 && moveAt > 0 && tenants[0]
        ? new Promise((r) => setTimeout(r, moveAt * 1000)).then(async () => {
            const began = performance.now();
            // As an operator would: a run that stops (a verification that found a difference) is run again.
            for (let attempt = 1; ; attempt++) {
              try {
                const state = await moveTenant(tenants[0]!.id, moveTo, movePorts, { shards: shardNames, settleMs: LOCAL_SETTLE_MS, stopAfter: "unfenced" });
                return { state, seconds: (performance.now() - began) / 1000, attempts: attempt };
              } catch (error) {
                log(`move attempt ${attempt}: ${error instanceof Error ? error.message : String(error)}`);
                if (attempt >= 3) throw error;
              }
            }
          })
        : undefined;

    const baseUrl = new URL("/scim/v2", gw.url).href;
    const started = performance.now();
    const deadline = started + opts.minutes * 60_000;
    log(`load: ${opts.tenants} tenants x ${opts.users} users, concurrency ${opts.concurrency} each, ${opts.minutes} min`);
    const progress = setInterval(() => {
      const s = (performance.now() - started) / 1000;
      log(`  ${samples.length} requests in ${s.toFixed(0)} s (${(samples.length / s).toFixed(0)} req/s), ${core!.emulator.events().length} core calls`);
    }, 15_000);
    const perTenant = await Promise.all(
      tenants.map(async (tenant, k) => {
        const rounds: SimulationSummary[] = [];
        do {
          const summary = await runSimulation(
            {
              baseUrl,
              tenantId: tenant.id,
              token: tenant.token,
              users: opts.users,
              cycles: opts.cyclesPerRound,
              concurrency: opts.concurrency,
              shape: "mixed",
              managers: MANAGERS,
              seed: opts.seed * 1000 + k,
              changeRate: opts.changeRate,
            },
            { fetch: fetchTimed, now: () => performance.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
          );
          rounds.push(summary);
          if (!summary.ok) log(`tenant ${k + 1} round ${rounds.length}: ${summary.unexpected.length} unexpected, ${summary.mismatches.length} mismatches`);
        } while (performance.now() < deadline);
        return { tenant: tenant.id, rounds };
      }),
    );
    clearInterval(progress);
    const moved: { state: MoveState; seconds: number; attempts: number } | undefined = moving ? await moving : undefined;
    if (moved) log(`tenant 1 moved ${moved.state.fromShard} -> ${moved.state.toShard} under load in ${moved.seconds.toFixed(1)} s (to "${moved.state.step}")`);
    const loadMs = performance.now() - started;
    const coreCallsDuringLoad = core.emulator.events().length;
    log(`load done: ${samples.length} requests in ${(loadMs / 1000).toFixed(1)} s`);

    // Settle: nothing pending or enqueued (or the time is up).
    const settleStarted = performance.now();
    let states: Record<string, number> = {};
    for (;;) {
      // Each event once: a moved tenant's event copied to the target is settled when either copy is (the
      // consumer records a delivery on the shard its message names; the move's cleanup carries it over).
      const latest = new Map<string, string>();
      for (const d1 of Object.values(gw.shards)) {
        for (const { id, state } of (await d1.prepare("SELECT id, state FROM change_events").all<{ id: string; state: string }>()).results) {
          if (!latest.has(id) || state === "delivered" || state === "skipped") latest.set(id, state);
        }
      }
      states = {};
      for (const state of latest.values()) states[state] = (states[state] ?? 0) + 1;
      if (!states.pending && !states.enqueued) break;
      if (performance.now() - settleStarted > opts.settleSeconds * 1000) {
        log(`outbox did not settle within ${opts.settleSeconds} s: ${JSON.stringify(states)}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const settleMs = performance.now() - settleStarted;
    clearInterval(cron);
    await runCron(); // one last pass: it must find nothing to re-send
    log(`outbox settled in ${(settleMs / 1000).toFixed(1)} s: ${JSON.stringify(states)}`);

    // Each tenant's users from the shard its record names now; every shard's events.
    const homes = new Map<string, ShardName>();
    for (const t of tenants) {
      const stored = parseStoredRecord((await gw.kv.get(`tenant:${t.id}`, "text")) ?? "");
      homes.set(t.id, stored.ok ? shardOf(stored.record) : "DB");
    }
    // A moved tenant's event may be on both shards: delivered from either side counts (the consumer records a
    // delivery on the shard its message names, and the core's idempotency absorbs a second send).
    const live: LiveUser[] = [];
    const byId = new Map<string, Awaited<ReturnType<typeof readEvents>>[number]>();
    const settledState = (state: string) => state === "delivered" || state === "skipped";
    for (const [shard, d1] of Object.entries(gw.shards)) {
      live.push(...(await readUsers(d1)).filter((u) => homes.get(u.tenant_id) === shard));
      for (const e of await readEvents(d1)) if (!byId.has(e.id) || settledState(e.state)) byId.set(e.id, e);
    }
    const events = [...byId.values()];
    const check: CoreCheck = checkCoreRows(live, events, core.emulator);
    // The move's last step, after the check (it deletes the source's settled history the check reads).
    const cleaned = moved ? await moveTenant(tenants[0]!.id, moveTo, movePorts, { shards: shardNames, settleMs: LOCAL_SETTLE_MS }) : undefined;
    const leftBehind = cleaned ? Number((await gw.shards[cleaned.fromShard]!.prepare("SELECT count(*) AS n FROM users WHERE tenant_id = ?").bind(tenants[0]!.id).first<{ n: number }>())?.n) : 0;

    // Figures.
    const statuses: Record<string, number> = {};
    for (const s of samples) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
    const fivexx = samples.filter((s) => s.status >= 500 && !s.fenced).length;
    const fenced503 = samples.filter((s) => s.fenced).length;
    const throttled = statuses["429"] ?? 0;
    const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
    const allRounds = perTenant.flatMap((t) => t.rounds);
    const simUnexpected = allRounds.reduce((n, r) => n + r.unexpected.length, 0);
    const simMismatches = allRounds.reduce((n, r) => n + r.mismatches.length, 0);
    const perTenantRps = perTenant.map((t) => t.rounds.reduce((n, r) => n + r.requests, 0) / (loadMs / 1000));
    const result = {
      command,
      date: new Date().toISOString(),
      options: opts,
      rateLimit: gw.rateLimit,
      bundle: { gzipKiB: bundle.gzipKiB },
      load: {
        seconds: Number((loadMs / 1000).toFixed(1)),
        requests: samples.length,
        requestsPerSecond: Number((samples.length / (loadMs / 1000)).toFixed(1)),
        perTenantRequestsPerSecond: perTenantRps.map((r) => Number(r.toFixed(1))),
        p50Ms: Number(percentile(sorted, 0.5).toFixed(1)),
        p99Ms: Number(percentile(sorted, 0.99).toFixed(1)),
        maxMs: Number((sorted.at(-1) ?? 0).toFixed(1)),
        statuses,
        fivexx,
        fenced503,
        throttled429: throttled,
        networkErrors: networkErrors.length,
        rounds: perTenant.map((t) => t.rounds.length),
        simulatorUnexpected: simUnexpected,
        simulatorMismatches: simMismatches,
        simulatorRetried: allRounds.reduce((n, r) => n + r.retried, 0),
      },
      // Forwarding lag: core calls made while the load ran; the rest of the events drained after it.
      outbox: { settleSeconds: Number((settleMs / 1000).toFixed(1)), states, cronRuns, coreCallsDuringLoad },
      core: check,
      shards: Object.fromEntries([...homes].map(([tenant, shard]) => [tenant, shard])),
      move: moved
        ? { tenant: tenants[0]!.id, from: moved.state.fromShard, to: moved.state.toShard, startedAtSeconds: moveAt, secondsToUnfenced: Number(moved.seconds.toFixed(1)), attempts: moved.attempts, finished: cleaned?.step, usersLeftOnSource: leftBehind }
        : null,
      workerErrorLines: gw.logLines.errors,
    };
    const failures = [
      fivexx && `${fivexx} 5xx answers`,
      networkErrors.length && `${networkErrors.length} network errors (${networkErrors[0]})`,
      simUnexpected && `${simUnexpected} unexpected statuses in the simulators`,
      simMismatches && `${simMismatches} simulator read-back mismatches`,
      check.unsettled && `${check.unsettled} events not delivered or skipped`,
      check.lost && `${check.lost} users whose core state differs from D1 (lost changes)`,
      check.duplicated && `${check.duplicated} changes applied more than once`,
      check.deliveredNeverReceived && `${check.deliveredNeverReceived} delivered events the core never received`,
      cronRuns.failed && `${cronRuns.failed} failed cron runs`,
      moved && cleaned?.step !== "cleaned" && "the move did not finish",
      leftBehind && `${leftBehind} users of the moved tenant left on the source shard`,
    ].filter((f): f is string => Boolean(f));
    const report = { ...result, ok: failures.length === 0, failures };

    const md = renderMarkdown(report);
    console.log(`\n${md}`);
    const resultsDir = join(ROOT, "test/bench/results");
    mkdirSync(resultsDir, { recursive: true });
    const name = values.results ?? "soak";
    if (!/^[\w-]+$/.test(name)) throw new Error("--results is a file name: letters, digits, - and _");
    writeFileSync(join(resultsDir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(resultsDir, `${name}.md`), md);
    log(`wrote test/bench/results/${name}.json and ${name}.md: ${report.ok ? "PASS" : `FAIL (${failures.join("; ")})`}`);
    return report.ok ? 0 : 1;
  } finally {
    await stopSoak(gateway, core);
    rmSync(outdir, { recursive: true, force: true });
  }
}

function renderMarkdown(r: {
  command: string;
  date: string;
  ok: boolean;
  failures: string[];
  rateLimit: SoakGateway["rateLimit"];
  load: Record<string, unknown> & { statuses: Record<string, number>; perTenantRequestsPerSecond: number[]; rounds: number[] };
  outbox: { settleSeconds: number; states: Record<string, number>; cronRuns: { ok: number; failed: number }; coreCallsDuringLoad: number };
  core: CoreCheck;
  move: { tenant: string; from: string; to: string; startedAtSeconds: number; secondsToUnfenced: number; attempts: number; finished?: string; usersLeftOnSource: number } | null;
  shards: Record<string, string>;
}): string {
  const l = r.load;
  const rows: [string, string][] = [
    ["command", `\`${r.command}\``],
    ["date", r.date],
    ["result", r.ok ? "PASS" : `FAIL: ${r.failures.join("; ")}`],
    ["per-tenant rate limit", `${r.rateLimit.limit * REQUESTS_PER_LEASE} requests / ${r.rateLimit.period} s (${r.rateLimit.limit} leases of ${REQUESTS_PER_LEASE}; ${r.rateLimit.source})`],
    ["load time", `${l.seconds} s, rounds per tenant ${l.rounds.join(", ")}`],
    ["tenants' shards at the end", Object.values(r.shards).join(", ")],
    [
      "move under load",
      r.move
        ? `tenant 1 ${r.move.from} -> ${r.move.to}, started at ${r.move.startedAtSeconds} s, writes resumed on ${r.move.to} after ${r.move.secondsToUnfenced} s (${r.move.attempts} run${r.move.attempts === 1 ? "" : "s"} of the command); cleanup after the check: ${r.move.finished}, ${r.move.usersLeftOnSource} users left on ${r.move.from}`
        : "none",
    ],
    ["requests", String(l.requests)],
    ["req/s (all tenants)", String(l.requestsPerSecond)],
    ["req/s per tenant", l.perTenantRequestsPerSecond.join(", ")],
    ["latency p50 / p99 / max ms", `${l.p50Ms} / ${l.p99Ms} / ${l.maxMs}`],
    ["statuses", Object.entries(l.statuses).map(([s, n]) => `${s}: ${n}`).join(", ")],
    ["5xx (other than the move's)", String(l.fivexx)],
    ["503 + Retry-After during the move (retried by the simulator)", String(l.fenced503 ?? 0)],
    ["429 (retried by the simulator)", String(l.throttled429)],
    ["network errors", String(l.networkErrors)],
    ["simulator unexpected / mismatches", `${l.simulatorUnexpected} / ${l.simulatorMismatches}`],
    ["change events (D1)", `${r.core.events} (${Object.entries(r.outbox.states).map(([s, n]) => `${s} ${n}`).join(", ")})`],
    ["core calls during the load", String(r.outbox.coreCallsDuringLoad)],
    ["outbox settled after load", `${r.outbox.settleSeconds} s (cron runs ${r.outbox.cronRuns.ok})`],
    ["deliveries at the core", `${r.core.deliveries} (${Object.entries(r.core.outcomes).map(([s, n]) => `${s} ${n}`).join(", ")})`],
    ["users checked (live / deleted)", `${r.core.users} (${r.core.liveUsers} / ${r.core.deletedUsers})`],
    ["lost (core state differs from D1)", String(r.core.lost)],
    ["duplicated (same user+version applied twice)", String(r.core.duplicated)],
    ["unsettled events", String(r.core.unsettled)],
  ];
  const problems = r.core.examples.length ? `\nFirst problems:\n${r.core.examples.map((e) => `- ${e}`).join("\n")}\n` : "";
  return `# Soak: several tenants at once, forwarding to the core\n\n| | |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join("\n")}\n${problems}`;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
