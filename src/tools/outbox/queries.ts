// The SQL behind `npm run outbox`, as text: `wrangler d1 execute --command` takes no bound parameters, so
// every value put into a statement is first checked against a strict pattern (a GUID, a positive integer)
// and nothing else reaches the SQL. Pure and free of node: imports, so the Workers tests run the very same
// statements against their D1 (test/http/forwarding-failures.test.ts redrives with redriveSql).
import { GUID_PATTERN } from "../../tenants/record.ts";

export type Scope = {
  /** One event, by its id (the Idempotency-Key the core saw). */
  id?: string;
  /** Every event of one Entra tenant. */
  tenant?: string;
  /** Every event. Redrive demands an explicit scope, so `--all` must be said. */
  all?: boolean;
};

export class UsageError extends Error {}

function guid(value: string, what: string): string {
  const trimmed = value.trim().toLowerCase();
  if (!GUID_PATTERN.test(trimmed)) throw new UsageError(`${what} must be a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47`);
  return trimmed;
}

function scopeWhere(scope: Scope): string[] {
  const where: string[] = [];
  if (scope.id !== undefined) where.push(`id = '${guid(scope.id, "--id")}'`);
  if (scope.tenant !== undefined) where.push(`tenant_id = '${guid(scope.tenant, "--tenant")}'`);
  return where;
}

const whereClause = (conditions: string[]) => (conditions.length ? ` WHERE ${conditions.join(" AND ")}` : "");

/** Counts per state, with the oldest event in each (how long the core has been behind). */
export function statusSql(scope: Scope = {}): string {
  return `SELECT state, count(*) AS count, min(occurred_at) AS oldest FROM change_events${whereClause(scopeWhere(scope))} GROUP BY state ORDER BY state`;
}

export const DEFAULT_LIST_LIMIT = 100;

/** Failed events, oldest first, with what the core last said. */
export function failedSql(scope: Scope = {}, limit = DEFAULT_LIST_LIMIT): string {
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError("--limit must be a whole number greater than 0");
  const where = whereClause(["state = 'failed'", ...scopeWhere(scope)]);
  return (
    "SELECT id, tenant_id, user_id, type, version, occurred_at, attempts, last_status, last_error, " +
    `json_extract(payload, '$.mobile') AS mobile FROM change_events${where} ORDER BY occurred_at LIMIT ${limit}`
  );
}

/**
 * Failed events back to 'pending': the cron re-sends pending events within a minute, through the same
 * relay every other event takes. RETURNING lists exactly what was redriven.
 */
export function redriveSql(scope: Scope): string {
  const conditions = scopeWhere(scope);
  if (conditions.length === 0 && !scope.all) throw new UsageError("redrive needs --id <event id>, --tenant <tenant id> or --all");
  const where = whereClause(["state = 'failed'", ...conditions]);
  return `UPDATE change_events SET state = 'pending', enqueued_at = NULL${where} RETURNING id, tenant_id, type, version`;
}

/** How many failed events a redrive of this scope would send back, and their tenants: what production shows before asking. */
export function redriveCountSql(scope: Scope): string {
  const conditions = scopeWhere(scope);
  if (conditions.length === 0 && !scope.all) throw new UsageError("redrive needs --id <event id>, --tenant <tenant id> or --all");
  return `SELECT count(*) AS events, count(DISTINCT tenant_id) AS tenants FROM change_events${whereClause(["state = 'failed'", ...conditions])}`;
}
