// `npm run tenants -- activity|doctor`, and the list's "last seen" and "errors in 24 h" columns: the Worker's
// own read model (src/activity/read-model.ts), whose statements run as text through `wrangler d1 execute`
// (one call, one batch) on the target's D1, and whose rows go through the same assemble functions the
// console uses. Pure but for the injected query.
import type { ShardName } from "../../tenants/shard.ts";
import {
  activitySqlText,
  assembleActivity,
  assembleSummaries,
  summariesSqlText,
  type Row,
  type TenantActivity,
  type TenantSummary,
} from "../../activity/read-model.ts";
import { doctorFindings, type Finding } from "../../activity/doctor.ts";
import type { ListedTenant } from "../../tenants/commands.ts";
import type { TenantRecord } from "../../tenants/record.ts";
import type { WranglerTarget } from "../wrangler/run.ts";

/** Runs statements as text on the target's D1 as one batch; each one's rows (wrangler/d1.ts executeD1). */
/** Statements on one shard of the target (issue 15: a tenant's activity lives on its shard); default DB. */
export type QueryD1 = (target: WranglerTarget, statements: string[], shard?: ShardName) => Promise<Row[][]>;

export async function readActivity(query: QueryD1, target: WranglerTarget, tenantId: string, now: Date): Promise<TenantActivity> {
  return assembleActivity(tenantId, await query(target, activitySqlText(tenantId, now)), now);
}

export async function readSummaries(query: QueryD1, target: WranglerTarget, now: Date): Promise<Map<string, TenantSummary>> {
  const [rows = []] = await query(target, [summariesSqlText(now)]);
  return new Map(assembleSummaries(rows).map((s) => [s.tenantId, s]));
}

/** The record of a listed tenant that the gateway can read; undefined for one off the list (or unreadable). */
export const recordOf = (tenant: ListedTenant | undefined): TenantRecord | undefined => (tenant?.valid ? tenant.record : undefined);

export type Diagnosis = { activity: TenantActivity; findings: Finding[]; problems: number };

export async function diagnose(query: QueryD1, target: WranglerTarget, tenantId: string, record: TenantRecord | undefined, now: Date): Promise<Diagnosis> {
  const activity = await readActivity(query, target, tenantId, now);
  const findings = doctorFindings(activity, record, now);
  return { activity, findings, problems: findings.filter((f) => f.severity === "problem").length };
}
