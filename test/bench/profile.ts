// Where the gateway's time goes: `node test/bench/profile.ts [--case probe] [--seconds 5] [--users 10000] [--profile no-log]`.
//
// 1. A V8 CPU profile of the Worker's isolate while the case runs under load (workerd's inspector, the
//    DevTools protocol): self time by source module of the bundle (esbuild marks each module with a
//    `// path` comment) and the hottest functions, plus CPU milliseconds per request.
// 2. What-if runs: the same case with parts of the gateway switched off (test/bench/variant-entry.ts),
//    alternated over rounds, as throughput relative to the real code. The storage simulators (D1, KV, the
//    rate limiter) run in other isolates of the same workerd, which the profile of (1) does not see;
//    these runs do.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchCases } from "./cases.ts";
import { runLoad } from "./load.ts";
import { spread } from "./report.ts";
import { benchTenantId } from "./seed.ts";
import { buildBundle, residentMiB, startSide, stopSide } from "./workers.ts";
import { gatewayWorld, prepareStorage, seedWorld, TENANT, templateUser, tenantTokens } from "./world.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const caseId = option("case", "probe");
const seconds = Number(option("seconds", "5"));
const users = Number(option("users", "10000"));
const rounds = Number(option("rounds", "3"));
const variants = option("variants", "real,no-log,no-ratelimit,no-log+no-ratelimit").split(",");
/** The variant the CPU profile is taken of: "no-log" keeps console.log's copy to the attached inspector out of it. */
const profiled = option("profile", "real");
/** `--profile none`: what-if runs only, on a workerd started without its inspector, as the bench runs it. */
const withProfile = profiled !== "none";
const INSPECTOR_PORT = 9300 + Math.floor(Math.random() * 500);

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

/** A minimal DevTools protocol client over the global WebSocket. */
async function connectInspector(port: number, target: string) {
  const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { id: string; title?: string; url?: string; webSocketDebuggerUrl: string }[];
  const entry = list.find((t) => `${t.id} ${t.title ?? ""} ${t.url ?? ""} ${t.webSocketDebuggerUrl}`.includes(target));
  if (!entry) throw new Error(`no inspector target ${target} in ${JSON.stringify(list)}`);
  const socket = new WebSocket(entry.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", reject, { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, (result: unknown) => void>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  return {
    send: <T>(method: string, params: Record<string, unknown> = {}) =>
      new Promise<T>((resolve) => {
        const id = nextId++;
        pending.set(id, resolve as (result: unknown) => void);
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}

/** For each line of the bundle, the source module it came from. */
function moduleOfLine(bundlePath: string): (line: number) => string {
  const starts: { line: number; module: string }[] = [];
  readFileSync(bundlePath, "utf8")
    .split("\n")
    .forEach((text, i) => {
      const m = /^\/\/ ((?:node_modules|src|test)\/\S+)$/.exec(text);
      if (m?.[1]) starts.push({ line: i, module: m[1] });
    });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = "(bundle preamble)";
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const start = starts[mid] as { line: number; module: string };
      if (start.line <= line) {
        found = start.module;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

/** node_modules/hono/dist/x.js -> hono; src/auth/x.ts -> src/auth/x.ts */
const packageOf = (module: string) => (module.startsWith("node_modules/") ? (/^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(module)?.[1] ?? module) : module);

function summariseProfile(profile: CpuProfile, bundlePath: string, requests: number): string {
  const moduleOf = moduleOfLine(bundlePath);
  const bundleName = bundlePath.split("/").pop() ?? "index.js";
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = profile.endTime - profile.startTime;
  const byBucket = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const name = frame.functionName || "(anonymous)";
    let bucket: string;
    if (name === "(idle)") bucket = "(idle: waiting for I/O or requests)";
    else if (name === "(program)" || name === "(garbage collector)" || name === "(root)") bucket = name;
    else if (frame.url === "") bucket = "(native: runtime APIs, crypto, JSON)";
    else if (frame.url.endsWith(bundleName)) bucket = packageOf(moduleOf(frame.lineNumber));
    else bucket = `(runtime module: ${frame.url.split("/").pop()})`;
    if (name !== "(idle)") busy += us;
    byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + us);
    const where = frame.url.endsWith(bundleName) ? `${moduleOf(frame.lineNumber)}, bundle line ${frame.lineNumber + 1}` : frame.url || "native";
    const key = `${name}  [${where}]`;
    if (name !== "(idle)") byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const perRequest = (us: number) => `${(us / 1000 / requests).toFixed(3)} ms/req`;
  const lines = [
    `CPU profile of the gateway isolate: ${(total / 1e6).toFixed(1)} s, ${requests} requests, busy ${pct(busy)} = ${perRequest(busy)}`,
    "",
    "self time by module:",
    ...[...byBucket].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, us]) => `  ${pct(us)}  ${perRequest(us).padStart(16)}  ${k}`),
    "",
    "hottest functions (self time):",
    ...[...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([k, us]) => `  ${pct(us)}  ${k}`),
  ];
  return lines.join("\n");
}

/** A CPU profile of the Worker isolate while `run` puts the case under load, summarised on stdout. */
async function profileCase(title: string, bundlePath: string, workerdPid: number | undefined, run: () => ReturnType<typeof runLoad>) {
  const inspector = await connectInspector(INSPECTOR_PORT, "core:user:main");
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: 100 });
  await inspector.send("Profiler.start");
  const sampled = await run();
  const { profile } = await inspector.send<{ profile: CpuProfile }>("Profiler.stop");
  const heap = await inspector.send<{ usedSize: number; totalSize: number }>("Runtime.getHeapUsage");
  inspector.close();
  console.log(`\n${title}; ${sampled.rps.toFixed(0)} req/s while profiled\n`);
  console.log(summariseProfile(profile, bundlePath, sampled.requests));
  const rss = residentMiB(workerdPid);
  console.log(`\nthe Worker isolate's V8 heap after the run: ${(heap.usedSize / 2 ** 20).toFixed(1)} MiB used of ${(heap.totalSize / 2 ** 20).toFixed(1)} MiB (the 128 MB Workers limit applies to this); workerd process RSS ${rss?.rss.toFixed(0)} MiB (peak ${rss?.peak.toFixed(0)} MiB)`);
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), "tm-bench-profile-"));
  const bundle = await buildBundle("test/bench/variant-entry.ts", join(work, "variant"));
  const side = await startSide("profile", bundle.path, bundle.path, withProfile ? { inspectorPort: INSPECTOR_PORT } : {});
  try {
    const sizes = { main: users, small: 1_000, ten: Math.max(1, Math.floor(users / 10)) };
    const tokens = await tenantTokens();
    await prepareStorage(side);
    const template = await templateUser(side, tokens.get(benchTenantId(TENANT.template)) as string);
    const world = gatewayWorld(tokens, sizes);
    await seedWorld(side, world, template);
    const benchCase = benchCases({ deleteAmount: 1, deepStartIndex: Math.floor(users * 0.9) + 1, ...sizes }).find((c) => c.id === caseId);
    if (!benchCase || benchCase.amount) throw new Error(`profile a case that runs for a duration: ${caseId}`);
    const load = (duration: number) => runLoad({ url: side.url, pid: side.workerdPid, connections: benchCase.connections, duration, next: benchCase.next(world), expect: benchCase.expect });
    const setVariant = async (variant: string) => {
      const query = variant === "real" ? "" : variant.split("+").map((v) => `v=${v}`).join("&");
      await (await fetch(new URL(`/__bench/variant?${query}`, side.url))).text();
    };

    if (withProfile) {
      await setVariant(profiled);
      await load(1);
      await profileCase(`case ${caseId} (${profiled}), tenant of ${users} users, ${benchCase.connections} connection(s)`, bundle.path, side.workerdPid, () => load(seconds));
    }

    const rps = new Map<string, number[]>(variants.map((v) => [v, []]));
    const cpu = new Map<string, number[]>(variants.map((v) => [v, []]));
    for (let round = 0; round < rounds; round++) {
      for (const variant of round % 2 ? [...variants].reverse() : variants) {
        await setVariant(variant);
        await load(0.5);
        const result = await load(seconds);
        rps.get(variant)?.push(result.rps);
        cpu.get(variant)?.push(result.workerdCpuMs);
      }
    }
    // Ratios are to the real code, or to the first variant named when the real code is not among them.
    const real = spread(rps.get(variants.includes("real") ? "real" : (variants[0] as string)) ?? []).median;
    console.log(`\nwhat-if runs (${rounds} rounds of ${seconds} s, alternating; median req/s, min–max, vs ${variants.includes("real") ? "the real code" : variants[0]}):`);
    for (const [variant, values] of rps) {
      const s = spread(values);
      const c = spread(cpu.get(variant) ?? []);
      console.log(`  ${variant.padEnd(24)} ${s.median.toFixed(0).padStart(6)} req/s (${s.min.toFixed(0)}–${s.max.toFixed(0)})  ${(s.median / real).toFixed(2)}x   workerd ${c.median.toFixed(2)} CPU ms/req`);
    }
  } finally {
    await stopSide(side);
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
