// What `npm run outbox` prints: tables for a person, or with --json one JSON document for a script.
// Phone numbers are masked unless --show-numbers was given; e-mail addresses are never selected at all.
import { maskNumber } from "../../outbox/mask.ts";
import type { D1Target } from "../wrangler/d1.ts";

export type StateCount = { state: string; count: number; oldest: string | null };

export type FailedEvent = {
  /** The shard the event lives in (cli.ts adds it). */
  shard?: string;
  id: string;
  tenant_id: string;
  user_id: string;
  type: string;
  version: number;
  occurred_at: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  mobile: string | null;
};

export type RedrivenEvent = { shard?: string; id: string; tenant_id: string; type: string; version: number };

export type ShardStatus = { shard: string; states: StateCount[] };

export const describeTarget = (target: D1Target) => (target.remote ? `Cloudflare D1, environment ${target.env}` : "local D1");

export const withMaskedNumbers = (events: FailedEvent[], showNumbers: boolean): FailedEvent[] =>
  showNumbers ? events : events.map((e) => ({ ...e, mobile: e.mobile === null ? null : maskNumber(e.mobile) }));

function table(header: string[], rows: (string | number | null)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null ? "-" : String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]?.length ?? 0)));
  // The last column (free text) is not padded.
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ")).join("\n");
}

export function renderStatus(target: D1Target, shards: ShardStatus[]): string {
  const rows = shards.flatMap(({ shard, states }) => (states.length ? states.map((c) => [shard, c.state, c.count, c.oldest]) : [[shard, "(none)", 0, null]]));
  const counts = shards.flatMap((s) => s.states);
  if (counts.length === 0) return `No change events in the ${describeTarget(target)} (shards ${shards.map((s) => s.shard).join(", ")}).\n`;
  const total = counts.reduce((sum, c) => sum + c.count, 0);
  const failed = counts.filter((c) => c.state === "failed").reduce((sum, c) => sum + c.count, 0);
  const hint = failed > 0 ? `\n${failed} failed: list them with \`npm run outbox -- failed\`, redrive after the fix with \`npm run outbox -- redrive\`.\n` : "";
  return `Change events in the ${describeTarget(target)} (${total}), by shard:\n${table(["shard", "state", "count", "oldest"], rows)}\n${hint}`;
}

export function renderFailed(target: D1Target, events: FailedEvent[], limit: number): string {
  if (events.length === 0) return `No failed events in the ${describeTarget(target)}.\n`;
  const more = events.length === limit ? `\nShowing the oldest ${limit}; raise --limit to see more.` : "";
  return (
    `Failed events in the ${describeTarget(target)}, oldest first:\n` +
    table(
      ["event id", "shard", "tenant", "type", "version", "mobile", "attempts", "status", "occurred at", "last error"],
      events.map((e) => [e.id, e.shard ?? null, e.tenant_id, e.type, e.version, e.mobile, e.attempts, e.last_status, e.occurred_at, e.last_error]),
    ) +
    `${more}\n`
  );
}

export function renderRedriven(target: D1Target, events: RedrivenEvent[]): string {
  if (events.length === 0) return `Nothing to redrive: no failed event matched in the ${describeTarget(target)}.\n`;
  return (
    `Redrove ${events.length} failed event${events.length === 1 ? "" : "s"} in the ${describeTarget(target)} back to pending; ` +
    "the cron re-sends them to the queue within a minute (locally: while `npm start` runs).\n" +
    table(["event id", "shard", "tenant", "type", "version"], events.map((e) => [e.id, e.shard ?? null, e.tenant_id, e.type, e.version])) +
    "\n"
  );
}
