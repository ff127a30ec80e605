// Issue 15 §4: two tenants running initial cycles at once, placed on one shard and on two, and what a third,
// idle tenant's lookups see meanwhile. `node test/bench/shards.ts [--rounds 3] [--seconds 5] [--users 1000]`.
//
// The real bundle on one workerd (Miniflare, as the bench runs it), with the two D1 bindings wrangler.toml
// declares (DB, DB_2). Per round and placement, two fresh busy tenants send Entra's initial-cycle pattern
// (a lookup that misses, then the create) on 4 connections each, while the idle tenant (on DB, with
// `--users` seeded users) sends one lookup at a time; the placements alternate which runs first.
//
// What it can show, and what it cannot: locally every D1 database is a SQLite Durable Object inside the one
// single-threaded workerd process, so a second shard adds no capacity here: both placements share one
// thread and one disk, and this run measures the gateway's cost of routing by shard, not the relief. On
// Cloudflare each D1 database is its own Durable Object, in its own isolate and with its own queue of
// queries, which is the relief the capacity model (docs/capacity.md) counts on; its per-statement times
// come from D1's own meta.duration for that reason.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JWK } from "jose";
import { signDevToken } from "../../src/tools/dev/dev-token.ts";
import { createBody } from "./cases.ts";
import { runLoad, type LoadResult } from "./load.ts";
import { migrationStatements } from "./migrations.ts";
import { benchTenantId, CREATED_SERIES, mobile, seedUsers, SEEDED_SERIES } from "./seed.ts";
import { buildBundle, ROOT, startSide, stopSide, type Side } from "./workers.ts";
import { templateUser } from "./world.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} takes a positive number`);
  return value;
};
const rounds = option("rounds", 3);
const seconds = option("seconds", 5);
const idleUsers = option("users", 1_000);

/** Lookups spread over the seeded users (as the bench's cases do). */
const spread = (n: number, size: number) => (n * 7919) % size;
const BUSY_CONNECTIONS = 4;
const IDLE = 200;
const TEMPLATE = 201;
const record = (shard?: string) => JSON.stringify({ accountId: "TM-BENCH", name: "Shard bench", managers: ["Ann Manager"], enabled: true, ...(shard ? { shard } : {}) });
const filterPath = (value: string) => `/scim/v2/Users?filter=userName+eq+%22${value}%22`;

type Placement = "one shard" | "two shards";
type Outcome = { busy: LoadResult[]; idle: LoadResult };

const jwk = JSON.parse(readFileSync(join(ROOT, "src/tools/dev/dev-signing-key.json"), "utf8")) as JWK;
const tokenOf = (tenantId: string) => signDevToken({ jwk, tenantId, expiresInSeconds: 3600 });

const work = mkdtempSync(join(tmpdir(), "tm-bench-shards-"));
const [bundle, counting] = await Promise.all([buildBundle(undefined, join(work, "gateway")), buildBundle("test/bench/counting-entry.ts", join(work, "counting"))]);
const side = await startSide("shards", bundle.path, counting.path);
try {
  const second = await side.mf.getD1Database("DB_2", "main");
  for (const db of [side.db, second]) await db.batch(migrationStatements().map((sql) => db.prepare(sql)));
  for (const n of [IDLE, TEMPLATE]) await side.kv.put(`tenant:${benchTenantId(n)}`, record());
  const idleToken = await tokenOf(benchTenantId(IDLE));
  const template = await templateUser(side, await tokenOf(benchTenantId(TEMPLATE)));
  await seedUsers(side.db, template, { tenantId: benchTenantId(IDLE), group: IDLE, series: SEEDED_SERIES, count: idleUsers });
  console.log(`gateway bundle ${bundle.gzipKiB} KiB gzip; idle tenant of ${idleUsers.toLocaleString("en")} users on DB; ${rounds} round(s) of ${seconds} s`);

  let nextTenant = 300;
  const results: Record<Placement, Outcome[]> = { "one shard": [], "two shards": [] };
  for (let round = 0; round < rounds; round++) {
    const order: Placement[] = round % 2 === 0 ? ["one shard", "two shards"] : ["two shards", "one shard"];
    for (const placement of order) {
      const busy = [nextTenant++, nextTenant++];
      await side.kv.put(`tenant:${benchTenantId(busy[0] as number)}`, record());
      await side.kv.put(`tenant:${benchTenantId(busy[1] as number)}`, record(placement === "two shards" ? "DB_2" : undefined));
      const outcome = await runPlacement(side, busy, idleToken);
      // The second busy tenant's users must be where its record puts them, or the comparison means nothing.
      const count = async (db: typeof second, n: number) =>
        (await db.prepare("SELECT count(*) AS n FROM users WHERE tenant_id = ?").bind(benchTenantId(n)).first<{ n: number }>())?.n ?? 0;
      const onSecond = await count(second, busy[1] as number);
      const onFirst = await count(side.db, busy[1] as number);
      if ((placement === "two shards") !== (onSecond > 0) || (placement === "two shards") === (onFirst > 0)) {
        throw new Error(`${placement}: the second busy tenant has ${onFirst} users on DB and ${onSecond} on DB_2`);
      }
      results[placement].push(outcome);
      console.log(`round ${round + 1}, ${placement}: busy ${outcome.busy.map((r) => r.rps.toFixed(0)).join(" + ")} req/s, idle lookup p50 ${outcome.idle.p50.toFixed(2)} / p99 ${outcome.idle.p99.toFixed(2)} ms`);
    }
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  console.log(`\n| placement | busy tenants, req/s together | idle tenant's lookup p50 / p99 ms | unexpected statuses |`);
  console.log(`| --- | ---: | ---: | ---: |`);
  for (const placement of ["one shard", "two shards"] as const) {
    const outcomes = results[placement];
    const together = median(outcomes.map((o) => o.busy.reduce((sum, r) => sum + r.rps, 0)));
    const unexpected = outcomes.reduce((sum, o) => sum + o.idle.unexpected + o.busy.reduce((s, r) => s + r.unexpected, 0), 0);
    console.log(
      `| ${placement} | ${together.toFixed(0)} | ${median(outcomes.map((o) => o.idle.p50)).toFixed(2)} / ${median(outcomes.map((o) => o.idle.p99)).toFixed(2)} | ${unexpected} |`,
    );
  }
  console.log(`\nMedians over ${rounds} round(s). Local figures: every D1 here shares one workerd thread (see the header of this file).`);
} finally {
  await stopSide(side);
  rmSync(work, { recursive: true, force: true });
}

/** Two busy tenants' initial cycles (lookup miss, then create) and the idle tenant's lookups, at once. */
async function runPlacement(side: Side, busy: number[], idleToken: string): Promise<Outcome> {
  const busyRuns = busy.map(async (n) => {
    const tenantId = benchTenantId(n);
    const headers = { authorization: `Bearer ${await tokenOf(tenantId)}` };
    let i = 0;
    return runLoad({
      url: side.url,
      connections: BUSY_CONNECTIONS,
      duration: seconds,
      // Entra's initial cycle: each user looked up (not found), then created.
      next: () => {
        const k = i++;
        const number = mobile(CREATED_SERIES, n * 100_000 + Math.floor(k / 2));
        return k % 2 === 0
          ? { method: "GET", path: filterPath(number), headers }
          : { method: "POST", path: "/scim/v2/Users", headers: { ...headers, "content-type": "application/scim+json" }, body: createBody(number) };
      },
      expect: [200, 201],
      pid: side.workerdPid,
    });
  });
  let j = 0;
  const idleRun = runLoad({
    url: side.url,
    connections: 1,
    duration: seconds,
    next: () => ({ method: "GET", path: filterPath(mobile(SEEDED_SERIES, spread(j++, idleUsers))), headers: { authorization: `Bearer ${idleToken}` } }),
    expect: [200],
    pid: side.workerdPid,
  });
  const [idle, ...busyResults] = await Promise.all([idleRun, ...busyRuns]);
  return { busy: busyResults, idle: idle as LoadResult };
}
