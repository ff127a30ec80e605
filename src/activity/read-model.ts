// What the gateway knows of a tenant's provisioning, read back (issue 14 §1-§2): the last request, probe and
// successful write, 30 days of counts by route kind and outcome, the last refusals, the users stored and
// the forwarding state. The console (14-B) calls tenantActivity and tenantSummaries on a tenant's database
// (deps.database); the CLI runs the very same statements through `wrangler d1 execute` (activitySqlText,
// summariesSqlText: the parameters written in as SQL literals, since wrangler's --command binds none) and
// hands the rows to the same assemble functions. Rows are plain objects keyed by the selected column
// names, which is what both D1's .all() and wrangler's --json give.
//
// The exported names and types of this module are a contract with the console: extend them, do not change
// them. doctorFindings (doctor.ts, which imports this file, never the other way) turns a TenantActivity into
// plain-words findings.
import { and, desc, eq, gte, inArray, sql } from "drizzle-orm";
import { QueryBuilder, SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client.ts";
import { changeEvents, deliveryCursors, tenantActivityCounts as counts, tenantRefusals as refusals, users } from "../db/schema.ts";
import { GUID_PATTERN } from "../tenants/record.ts";
import {
  MAX_REFUSALS,
  oldestHourOf24h,
  oldestKeptDay,
  SUCCESS,
  WRITE_KINDS,
  type Outcome,
  type RouteKind,
} from "./vocabulary.ts";

export type { Outcome, RouteKind } from "./vocabulary.ts";

/** Requests of one UTC day, route kind and outcome. */
export type DayCount = { day: string; kind: RouteKind; outcome: Outcome; count: number };

/** One refused request, as Entra's admin saw it (phone numbers and e-mails masked). */
export type Refusal = {
  at: string;
  requestId: string;
  kind: RouteKind;
  status: number;
  scimType: string | null;
  /** Our own code where one applies: "unknown_manager", "quota_reached", "tenant_disabled", "rate_limited". */
  reason: string | null;
  /** The SCIM error's detail: what Entra's provisioning log showed. */
  detail: string;
  /** What the request sent that the refusal is about (the displayName of an unknown manager), if recorded. */
  sent: string | null;
};

export type Forwarding = {
  /** Events not yet delivered to the TeleMessage core and still being sent (pending or enqueued). */
  pending: number;
  /** Events the core refused, or whose retries ran out: waiting for an operator's redrive. */
  failed: number;
  /** The oldest event not delivered (pending, enqueued or failed), and its age at `asOf`. */
  oldestUndeliveredAt: string | null;
  oldestUndeliveredAgeSeconds: number | null;
  /** When the core last accepted one of this tenant's events. */
  lastDeliveredAt: string | null;
};

export type TenantActivity = {
  tenantId: string;
  /** The time the activity was read at (the `now` given). */
  asOf: string;
  /** The last request recorded for the tenant ("last seen"), within the 30 days kept; null if none. */
  lastRequestAt: string | null;
  /** The last Test Connection or cycle-start probe. */
  lastProbeAt: string | null;
  /** The last create, update, disable or delete that succeeded. */
  lastWriteAt: string | null;
  /** 30 UTC days, oldest first; only (day, kind, outcome) with requests appear. */
  days: DayCount[];
  /** Answers other than 2xx in the last 24 h (to the hour). */
  errorsLast24h: number;
  /** Newest first, at most MAX_REFUSALS. */
  refusals: Refusal[];
  users: { active: number; disabled: number };
  forwarding: Forwarding;
};

/** One line of the tenants list: "last seen" and "errors in 24 h". */
export type TenantSummary = { tenantId: string; lastRequestAt: string | null; errorsLast24h: number };

/** A statement and its parameters, in bind order (Drizzle's toSQL()). */
export type Statement = { sql: string; params: unknown[] };

/** Rows as D1's .all() and wrangler's --json give them: objects keyed by column name. */
export type Row = Record<string, unknown>;

const qb = new QueryBuilder();
const dialect = new SQLiteSyncDialect();

/** The tenant id as stored (lower case), refusing anything that is not a GUID before it reaches SQL. */
export function checkedTenantId(tenantId: string): string {
  if (!GUID_PATTERN.test(tenantId)) throw new TypeError("a tenant id is a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47");
  return tenantId.toLowerCase();
}

const undelivered = ["pending", "enqueued", "failed"] as const;

/** The five reads of one tenant's activity, in the order assembleActivity takes their rows. */
function activityQueries(tenantId: string, now: Date) {
  const id = checkedTenantId(tenantId);
  return [
    qb
      .select({ bucket: counts.bucket, kind: counts.kind, outcome: counts.outcome, count: counts.count, last_at: counts.lastAt })
      .from(counts)
      .where(and(eq(counts.tenantId, id), gte(counts.bucket, oldestKeptDay(now.getTime())))),
    qb
      .select({
        at: refusals.at,
        request_id: refusals.requestId,
        kind: refusals.kind,
        status: refusals.status,
        scim_type: refusals.scimType,
        reason: refusals.reason,
        detail: refusals.detail,
        sent: refusals.sent,
      })
      .from(refusals)
      .where(eq(refusals.tenantId, id))
      .orderBy(desc(refusals.at))
      .limit(MAX_REFUSALS),
    // COUNT over the users table's tenant index.
    qb
      .select({ users: sql<number>`count(*)`.as("users"), active: sql<number>`coalesce(sum(${users.active}), 0)`.as("active") })
      .from(users)
      .where(eq(users.tenantId, id)),
    qb
      .select({
        pending: sql<number>`coalesce(sum(${changeEvents.state} <> 'failed'), 0)`.as("pending"),
        failed: sql<number>`coalesce(sum(${changeEvents.state} = 'failed'), 0)`.as("failed"),
        oldest_undelivered_at: sql<string | null>`min(${changeEvents.occurredAt})`.as("oldest_undelivered_at"),
      })
      .from(changeEvents)
      .where(and(inArray(changeEvents.state, [...undelivered]), eq(changeEvents.tenantId, id))),
    // Each user's delivery cursor holds when the core last accepted it; the newest of them is the tenant's.
    qb
      .select({ last_delivered_at: sql<string | null>`max(${deliveryCursors.deliveredAt})`.as("last_delivered_at") })
      .from(deliveryCursors)
      .where(eq(deliveryCursors.tenantId, id)),
  ];
}

function summariesQuery(now: Date) {
  const since = oldestHourOf24h(now.getTime());
  return qb
    .select({
      tenant_id: counts.tenantId,
      last_request_at: sql<string>`max(${counts.lastAt})`.as("last_request_at"),
      // Only hour buckets hold anything but 2xx, and `bucket >= since` keeps the last 24 of them.
      errors_24h: sql<number>`coalesce(sum(case when ${counts.outcome} <> ${SUCCESS} and ${counts.bucket} >= ${since} then ${counts.count} else 0 end), 0)`.as(
        "errors_24h",
      ),
    })
    .from(counts)
    .groupBy(counts.tenantId);
}

type Query = { toSQL(): Statement; getSQL(): { inlineParams(): unknown } };

const statementOf = (query: Query): Statement => query.toSQL();
/** The statement with every parameter written in as an SQL literal (Drizzle's inlineParams: strings quoted with '' escaping). */
const textOf = (query: Query): string => dialect.sqlToQuery(query.getSQL().inlineParams() as never).sql;

/** The statements of one tenant's activity, with bound parameters (what tenantActivity runs). */
export const activityStatements = (tenantId: string, now: Date): Statement[] => activityQueries(tenantId, now).map(statementOf);

/** The same statements as text for `wrangler d1 execute --command` (run as one batch; rows to assembleActivity). */
export const activitySqlText = (tenantId: string, now: Date): string[] => activityQueries(tenantId, now).map(textOf);

export const summariesStatement = (now: Date): Statement => statementOf(summariesQuery(now));
export const summariesSqlText = (now: Date): string => textOf(summariesQuery(now));

/** One tenant's activity, read from the database that holds the tenant (deps.database), in one batch. */
export async function tenantActivity(db: Db, tenantId: string, now: Date): Promise<TenantActivity> {
  const statements = activityStatements(tenantId, now).map((s) => db.$client.prepare(s.sql).bind(...s.params));
  const results = await db.$client.batch<Row>(statements);
  return assembleActivity(tenantId, results.map((r) => r.results), now);
}

/** "Last seen" and "errors in 24 h" of every tenant with activity in one database (merge several yourself). */
export async function tenantSummaries(db: Db, now: Date): Promise<TenantSummary[]> {
  const { sql: text, params } = summariesStatement(now);
  const { results } = await db.$client.prepare(text).bind(...params).all<Row>();
  return assembleSummaries(results);
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : Number(v ?? 0) || 0);
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const later = (a: string | null, b: string | null): string | null => (a === null ? b : b === null || a >= b ? a : b);

/** The activity from the rows of activityStatements (or activitySqlText), in their order. */
export function assembleActivity(tenantId: string, rows: readonly (readonly Row[])[], now: Date): TenantActivity {
  const [countRows = [], refusalRows = [], userRows = [], forwardingRows = [], deliveredRows = []] = rows;
  const since24h = oldestHourOf24h(now.getTime());
  let lastRequestAt: string | null = null;
  let lastProbeAt: string | null = null;
  let lastWriteAt: string | null = null;
  let errorsLast24h = 0;
  const perDay = new Map<string, DayCount>();
  for (const row of countRows) {
    const bucket = String(row.bucket);
    const kind = String(row.kind) as RouteKind;
    const outcome = String(row.outcome);
    const count = num(row.count);
    const lastAt = str(row.last_at);
    lastRequestAt = later(lastRequestAt, lastAt);
    if (kind === "probe") lastProbeAt = later(lastProbeAt, lastAt);
    if (outcome === SUCCESS && WRITE_KINDS.includes(kind)) lastWriteAt = later(lastWriteAt, lastAt);
    if (outcome !== SUCCESS && bucket >= since24h) errorsLast24h += count;
    const day = bucket.slice(0, 10);
    const key = `${day}|${kind}|${outcome}`;
    const entry = perDay.get(key);
    if (entry) entry.count += count;
    else perDay.set(key, { day, kind, outcome, count });
  }
  const days = [...perDay.values()].sort((a, b) => compare(a.day, b.day) || compare(a.kind, b.kind) || compare(a.outcome, b.outcome));
  const refused: Refusal[] = refusalRows.map((row) => ({
    at: String(row.at),
    requestId: String(row.request_id),
    kind: String(row.kind) as RouteKind,
    status: num(row.status),
    scimType: str(row.scim_type),
    reason: str(row.reason),
    detail: String(row.detail ?? ""),
    sent: str(row.sent),
  }));
  const stored = userRows[0] ?? {};
  const total = num(stored.users);
  const active = num(stored.active);
  const outbox = forwardingRows[0] ?? {};
  const oldestUndeliveredAt = str(outbox.oldest_undelivered_at);
  return {
    tenantId: checkedTenantId(tenantId),
    asOf: now.toISOString(),
    lastRequestAt,
    lastProbeAt,
    lastWriteAt,
    days,
    errorsLast24h,
    refusals: refused,
    users: { active, disabled: total - active },
    forwarding: {
      pending: num(outbox.pending),
      failed: num(outbox.failed),
      oldestUndeliveredAt,
      oldestUndeliveredAgeSeconds: oldestUndeliveredAt === null ? null : Math.max(0, Math.round((now.getTime() - Date.parse(oldestUndeliveredAt)) / 1000)),
      lastDeliveredAt: str(deliveredRows[0]?.last_delivered_at),
    },
  };
}

/** The summaries from the rows of summariesStatement (or summariesSqlText). */
export function assembleSummaries(rows: readonly Row[]): TenantSummary[] {
  return rows.map((row) => ({ tenantId: String(row.tenant_id), lastRequestAt: str(row.last_request_at), errorsLast24h: num(row.errors_24h) }));
}
