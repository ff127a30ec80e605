// Latency and status bookkeeping for a simulation run: percentiles by the nearest-rank method (the value
// below which p% of the samples fall, always one of the samples), counts by status and request kind.

export type LatencySummary = { count: number; p50: number; p95: number; p99: number; max: number; mean: number };

/** Nearest-rank percentile of ascending `sorted` samples; 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  if (p <= 0) return sorted[0] as number;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

export function summarizeLatency(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  const total = sorted.reduce((sum, n) => sum + n, 0);
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? 0),
    mean: round(sorted.length ? total / sorted.length : 0),
  };
}

/** Requests per second over `elapsedMs`; 0 when no time passed. */
export const throughput = (requests: number, elapsedMs: number): number =>
  elapsedMs > 0 ? Math.round((requests / elapsedMs) * 1000 * 10) / 10 : 0;

export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

/** Latency summaries per request kind (lookup, create, ...). */
export function latencyByKind(samples: readonly { kind: string; ms: number }[]): Record<string, LatencySummary> {
  const byKind: Record<string, LatencySummary> = {};
  for (const kind of new Set(samples.map((s) => s.kind))) byKind[kind] = summarizeLatency(samples.filter((s) => s.kind === kind).map((s) => s.ms));
  return byKind;
}
