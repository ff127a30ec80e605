// How `npm run tenants -- activity` and `doctor` show a tenant's provisioning to a person. Pure: strings in,
// strings out; --json prints the TenantActivity and the findings themselves.
import { escapeUnprintable } from "../../activity/classify.ts";
import { describeDuration, WHO_LABELS } from "../../activity/doctor.ts";
import type { Finding } from "../../activity/doctor.ts";
import type { TenantActivity } from "../../activity/read-model.ts";
import { ROUTE_KINDS, SUCCESS } from "../../activity/vocabulary.ts";
import type { TenantRecord } from "../../tenants/record.ts";
import type { WranglerTarget } from "../wrangler/run.ts";
import { formatTable } from "./output.ts";

export const describeD1 = (target: WranglerTarget): string => (target.remote ? `the D1 database of environment "${target.env}"` : "the local D1 database");

/** "2026-11-28 14:25 UTC (5 minutes ago)", or "none in 30 days". */
export function describeTime(at: string | null, now: Date): string {
  if (at === null) return "none in 30 days";
  return `${at.slice(0, 16).replace("T", " ")} UTC (${describeDuration(now.getTime() - Date.parse(at))} ago)`;
}

const MAX_DETAIL_SHOWN = 120;

export function renderActivity(activity: TenantActivity, record: TenantRecord | undefined, target: WranglerTarget, now: Date): string {
  const who = record ? ` (${record.name}, account ${record.accountId}${record.enabled ? "" : ", DISABLED"})` : " (not on the allow-list)";
  const f = activity.forwarding;
  const forwarding = [
    `${f.pending} pending`,
    `${f.failed} failed`,
    ...(f.oldestUndeliveredAgeSeconds !== null ? [`oldest undelivered ${describeDuration(f.oldestUndeliveredAgeSeconds * 1000)} old`] : []),
    `last delivered ${f.lastDeliveredAt ? describeTime(f.lastDeliveredAt, now) : "never (or pruned)"}`,
  ].join(", ");
  const lines = [
    `Tenant ${activity.tenantId}${who}, from ${describeD1(target)}:`,
    formatTable([
      ["  Last request", describeTime(activity.lastRequestAt, now)],
      ["  Last probe", describeTime(activity.lastProbeAt, now)],
      ["  Last write", describeTime(activity.lastWriteAt, now)],
      ["  Errors in 24 h", String(activity.errorsLast24h)],
      ["  Users stored", `${activity.users.active} active, ${activity.users.disabled} disabled`],
      ["  Forwarding", forwarding],
    ]),
    "",
    ...dayTable(activity),
    "",
    ...refusalTable(activity),
  ];
  return `${lines.join("\n")}\n`;
}

/** One line per UTC day: requests by kind, and the answers that were not 2xx by outcome. */
function dayTable(activity: TenantActivity): string[] {
  if (activity.days.length === 0) return ["No request recorded in the last 30 days."];
  const days = [...new Set(activity.days.map((d) => d.day))];
  const rows = days.map((day) => {
    const ofDay = activity.days.filter((d) => d.day === day);
    const byKind = ROUTE_KINDS.map((kind) => String(ofDay.filter((d) => d.kind === kind).reduce((n, d) => n + d.count, 0)));
    const refused = new Map<string, number>();
    for (const d of ofDay) if (d.outcome !== SUCCESS) refused.set(d.outcome, (refused.get(d.outcome) ?? 0) + d.count);
    const notOk = [...refused].sort((a, b) => b[1] - a[1]).map(([outcome, n]) => `${n} ${outcome}`).join(", ");
    return [day, ...byKind, notOk || "-"];
  });
  return ["Requests per UTC day, by kind (all answers), and the answers that were not 2xx:", formatTable([["DAY", ...ROUTE_KINDS.map((k) => k.toUpperCase()), "NOT 2XX"], ...rows])];
}

function refusalTable(activity: TenantActivity): string[] {
  if (activity.refusals.length === 0) return ["No refusal kept."];
  const rows = activity.refusals.map((r) => [
    r.at.slice(0, 19).replace("T", " "),
    r.requestId,
    r.kind,
    `${r.status}${r.scimType ? ` ${r.scimType}` : ""}`,
    // What a tenant sent is printed with its control characters escaped, whatever the database holds.
    escapeUnprintable(`${r.sent !== null ? `[sent '${r.sent}'] ` : ""}${r.detail.length > MAX_DETAIL_SHOWN ? `${r.detail.slice(0, MAX_DETAIL_SHOWN - 1)}…` : r.detail}`),
  ]);
  return [`Last ${rows.length === 1 ? "refusal" : `${rows.length} refusals`}, newest first (what Entra's provisioning log showed; --json for the whole detail):`, formatTable([["TIME (UTC)", "REQUEST ID", "KIND", "ANSWER", "DETAIL"], ...rows])];
}

export function renderFindings(tenantId: string, findings: Finding[], target: WranglerTarget): string {
  const lines = [`Tenant ${tenantId}, from ${describeD1(target)} and the allow-list:`];
  for (const finding of findings) {
    const who = finding.who ? `${WHO_LABELS[finding.who]} must act` : "nothing to do";
    lines.push(`  ${finding.severity === "ok" ? "OK" : finding.severity.toUpperCase()} (${who}): ${escapeUnprintable(finding.message)}`);
  }
  return `${lines.join("\n")}\n`;
}
