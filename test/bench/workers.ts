// Builds the Workers the bench runs and starts them on workerd through Miniflare's API (not `wrangler dev`,
// whose Node proxy caps throughput). Each side (gateway, baseline) gets its own Miniflare, hence its own
// workerd process and its own D1/KV/Queue, with two Workers bound to the same storage: "main", the bundle
// under load, and "counting", the same code wrapped in counters for the statement pass.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { readWranglerToml } from "../support/wrangler-environments.ts";

export const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/**
 * The bench measures capacity, so the per-tenant rate limit is raised far above anything it can send (the
 * binding is still called on every request, so its cost is measured; it just never refuses).
 */
export const BENCH_RATE_LIMIT = 1_000_000_000;

export type Bundle = { path: string; gzipKiB: number; totalKiB: number };

/** `wrangler deploy --dry-run` of an entry (the real main when entry is undefined): the deployable bundle. */
export function buildBundle(entry: string | undefined, outdir: string): Promise<Bundle> {
  const args = ["deploy", "--dry-run", "--env=", "--outdir", outdir, ...(entry ? [entry] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, "node_modules/.bin/wrangler"), args, {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("exit", (code) => {
      const size = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
      if (code !== 0 || !size) return reject(new Error(`wrangler ${args.join(" ")} failed (${code}):\n${output}`));
      // The bundle is named after the entry (index.js for the real main).
      const file = readdirSync(outdir).find((f) => f.endsWith(".js"));
      if (!file) return reject(new Error(`wrangler wrote no bundle into ${outdir}`));
      resolve({ path: join(outdir, file), totalKiB: Number(size[1]), gzipKiB: Number(size[2]) });
    });
  });
}

export type Side = {
  name: string;
  mf: Miniflare;
  url: URL;
  /** The instrumented twin, sharing storage with the Worker under load. */
  counting: Awaited<ReturnType<Miniflare["getWorker"]>>;
  db: Awaited<ReturnType<Miniflare["getD1Database"]>>;
  kv: Awaited<ReturnType<Miniflare["getKVNamespace"]>>;
  workerdPid: number | undefined;
  /** Where this side's D1/KV live; removed by stopSide. */
  persist: string;
  /** Lines the Worker logged (its request log), counted and dropped. */
  logLines: { count: number };
};

const workerdPids = (): Set<number> => {
  const pids = new Set<number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid && stat.includes("(workerd)")) pids.add(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
};

export async function startSide(
  name: string,
  mainScript: string,
  countingScript: string,
  runtime: { inspectorPort?: number } = {},
): Promise<Side> {
  const config = readWranglerToml();
  const persist = mkdtempSync(join(tmpdir(), `tm-bench-${name}-`));
  const storage = {
    d1Databases: Object.fromEntries((config.d1_databases ?? []).map((d) => [d.binding, `${name}-${d.database_id}`])),
    kvNamespaces: Object.fromEntries((config.kv_namespaces ?? []).map((k) => [k.binding, `${name}-${k.id}`])),
    // Producers only: with no consumer, Miniflare's broker accepts and drops the messages, as a queue
    // whose consumer lives elsewhere would (the consumer and the TeleMessage core are not under test).
    queueProducers: Object.fromEntries((config.queues?.producers ?? []).map((q) => [q.binding, { queueName: q.queue }])),
    ratelimits: Object.fromEntries(
      (config.ratelimits ?? []).map((r) => [
        r.name,
        { namespace_id: r.namespace_id, simple: { limit: BENCH_RATE_LIMIT, period: r.simple.period ?? 60 } },
      ]),
    ),
  };
  const worker = (workerName: string, scriptPath: string) => ({
    name: workerName,
    modules: true,
    scriptPath,
    modulesRoot: dirname(scriptPath),
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags ?? [],
    // The local-development [vars]: TRUSTED_DEV_JWKS makes the development tokens verify.
    bindings: { ...(config.vars ?? {}) },
    ...storage,
  });
  const logLines = { count: 0 };
  const before = workerdPids();
  // Miniflare 5 takes v4-shaped options through this converter, which also leaves the dev registry off, so
  // the bench never meets another engineer's `wrangler dev` session.
  const options = convertV4MiniflareOptions({
    host: "127.0.0.1",
    port: 0,
    cf: false,
    ...(runtime.inspectorPort ? { inspectorPort: runtime.inspectorPort } : {}),
    resourcePersistencePath: persist,
    // Miniflare's own per-request log line would be work the deployed Worker never does.
    logRequests: false,
    handleStructuredLogs: (log) => {
      if (process.env.BENCH_WORKER_LOGS) console.error(`[${name}] ${log.message}`);
      logLines.count++;
    },
    workers: [worker("main", mainScript), worker("counting", countingScript)],
  });
  const mf = new Miniflare(options);
  const url = await mf.ready;
  const after = [...workerdPids()].filter((pid) => !before.has(pid));
  return {
    name,
    mf,
    url,
    counting: await mf.getWorker("counting"),
    db: await mf.getD1Database("DB", "main"),
    kv: await mf.getKVNamespace("TENANTS", "main"),
    workerdPid: after[0],
    persist,
    logLines,
  };
}

export async function stopSide(side: Side): Promise<void> {
  await side.mf.dispose();
  rmSync(side.persist, { recursive: true, force: true });
}

/** Resident memory of a process, from /proc: current and peak (VmHWM), in MiB. */
export function residentMiB(pid: number | undefined): { rss: number; peak: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return { rss: kib("VmRSS") / 1024, peak: kib("VmHWM") / 1024 };
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; returns the highest sample. */
export function sampleRss(pid: number | undefined, everyMs = 200): { stop: () => number } {
  let peak = residentMiB(pid)?.rss ?? 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, residentMiB(pid)?.rss ?? 0);
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, residentMiB(pid)?.rss ?? 0);
    },
  };
}
