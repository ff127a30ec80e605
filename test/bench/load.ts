// One measured load run: autocannon at a fixed concurrency for a fixed duration (or a fixed number of
// requests), every request built by the case's generator. Latencies are taken from each response event
// (autocannon's own histogram rounds to whole milliseconds, too coarse for sub-millisecond requests).
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

export type BenchRequest = { method: string; path: string; headers?: Record<string, string>; body?: string };

export type LoadOptions = {
  url: URL;
  connections: number;
  /** Seconds; ignored when `amount` is set. */
  duration: number;
  amount?: number;
  next: () => BenchRequest;
  /** Statuses a correct run answers; anything else is counted as unexpected. */
  expect: number[];
  /** The workerd process serving the requests, to measure its CPU time per request. */
  pid?: number | undefined;
};

export type LoadResult = {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
  unexpected: number;
  errors: number;
  /**
   * CPU milliseconds per request of the whole workerd process (the Worker, the HTTP front and Miniflare's
   * D1/KV/Queue/rate-limit simulators), and of this Node process (load generator and log reader).
   * Less sensitive than req/s to other programs competing for the cores.
   */
  workerdCpuMs: number;
  nodeCpuMs: number;
};

const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of a process, in milliseconds, from /proc/<pid>/stat. */
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

const percentile = (sorted: Float64Array, p: number): number =>
  sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN);

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const cpuBefore = { workerd: processCpuMs(options.pid), node: process.cpuUsage() };
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const instance = autocannon({
    url: options.url.href,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.duration }),
    timeout: 30,
    // autocannon stops only at a sampling tick (default every second); tick often so a run ends on time.
    sampleInt: 100,
    requests: [
      {
        // The request autocannon passes in carries the host and port: extend it, never replace it.
        setupRequest: (request) => {
          const r = options.next();
          return { ...request, method: r.method, path: r.path, headers: r.headers ?? {}, ...(r.body === undefined ? {} : { body: r.body }) };
        },
      },
    ],
  });
  const started = performance.now();
  let lastResponse = started;
  instance.on("response", (_client, statusCode, _bytes, responseTime) => {
    lastResponse = performance.now();
    latencies.push(responseTime);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  const result = await instance;
  const workerdMs = processCpuMs(options.pid) - cpuBefore.workerd;
  const nodeUsage = process.cpuUsage(cpuBefore.node);
  const sorted = Float64Array.from(latencies).sort();
  const unexpected = Object.entries(statuses)
    .filter(([status]) => !options.expect.includes(Number(status)))
    .reduce((n, [, count]) => n + count, 0);
  // From the start to the last response: autocannon's own duration includes the wait for its next tick.
  const seconds = (lastResponse - started) / 1000;
  return {
    requests: latencies.length,
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    statuses,
    unexpected,
    errors: result.errors + result.timeouts,
    workerdCpuMs: workerdMs / latencies.length,
    nodeCpuMs: (nodeUsage.user + nodeUsage.system) / 1000 / latencies.length,
  };
}
