// The simulator's summary for a person: what was sent, what came back, how fast, and what did not match.
import type { SimulationSummary } from "./run-simulation.ts";
import type { LatencySummary } from "./stats.ts";

/** At most this many unexpected responses and mismatches are listed; the counts are always complete. */
const LISTED = 20;

const latency = (l: LatencySummary) => `p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms, max ${l.max} ms`;

export function formatSummary(s: SimulationSummary): string {
  const lines: string[] = [];
  lines.push(
    `Entra sync-cycle simulation against ${s.baseUrl}`,
    `  tenant ${s.tenantId}, ${s.users} users, ${s.cycles} cycles, shape ${s.shape}, concurrency ${s.concurrency}${s.apps ? " per app" : ""}, seed ${s.seed}`,
    ...(s.apps ? [`  ${s.apps.length} Entra apps, one per manager, each on its own Tenant URL: ${s.apps.join(", ")}`] : []),
    `  changes: ${Object.entries(s.changes).map(([k, n]) => `${k} ${n}`).join(", ")}`,
    `  requests: ${s.requests} in ${(s.elapsedMs / 1000).toFixed(1)} s = ${s.requestsPerSecond} req/s` +
      (s.retried ? ` (${s.retried} throttled and retried)` : ""),
    `  statuses: ${Object.entries(s.statuses).map(([status, n]) => `${status} x${n}`).join(", ")}`,
    `  latency: ${latency(s.latencyMs)}`,
  );
  for (const [kind, l] of Object.entries(s.byKind)) lines.push(`    ${kind.padEnd(7)} ${String(l.count).padStart(6)}  ${latency(l)}`);
  for (const c of s.cycleReports) lines.push(`  cycle ${c.cycle}: ${c.users} users, ${c.requests} requests, ${c.ms} ms`);
  if (s.unmanagedUsers) lines.push(`  (the gateway also holds ${s.unmanagedUsers} users of this tenant that this run did not create)`);
  if (s.unexpected.length) {
    lines.push(`  UNEXPECTED responses: ${s.unexpected.length}`);
    for (const u of s.unexpected.slice(0, LISTED)) {
      lines.push(`    ${u.method} ${u.path.split("?")[0]} (${u.kind}) -> ${u.status}${u.detail ? `: ${u.detail}` : ""}`);
    }
  }
  if (s.mismatches.length) {
    lines.push(`  MISMATCHES with the intended state: ${s.mismatches.length}`);
    for (const m of s.mismatches.slice(0, LISTED)) lines.push(`    ${m}`);
  }
  if (s.core) {
    lines.push(
      s.core.mismatches.length
        ? `  CORE (${s.core.url}) disagrees after ${s.core.waitedMs} ms: ${s.core.mismatches.length}`
        : `  core (${s.core.url}) agrees with the gateway (after ${s.core.waitedMs} ms)`,
    );
    for (const m of s.core.mismatches.slice(0, LISTED)) lines.push(`    ${m}`);
  }
  lines.push(
    s.ok
      ? `OK: every status as expected, and the gateway holds what Entra intended${s.apps ? " (each user under the manager whose app has it in scope, active exactly when in scope)" : ""}.`
      : "FAILED",
  );
  return `${lines.join("\n")}\n`;
}
