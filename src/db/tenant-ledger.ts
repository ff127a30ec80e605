// The allow-list ledger (src/tenants/ledger.ts) as SQL over the control plane's tables (schema.ts
// tenant_records, tenant_audit), written once for every way the project reaches D1: the Worker binds the
// parameters on its binding (d1-execute.ts), the CLI inlines them as literals for `wrangler d1 execute
// --command`, which takes none (src/tools/wrangler/sql-literal.ts), and the Node tests run it on SQLite.
// The statements therefore use positional `?` only, never inside a quoted string.
//
// Serialisation (issue 14 §3): a change is one batch of two statements. The first is the one conditional
// statement: UPDATE ... WHERE version = <base> (or, for a tenant never recorded, INSERT ... ON CONFLICT DO
// NOTHING); it returns a row only when it applied. The second inserts the audit entry only if the first
// applied (the row's last_audit_id is the entry's id), so a change that lost the race leaves no trace, and
// the unique (tenant_id, version) index would refuse a second entry for one version anyway.
import type { AuditEntry, LedgerRecord, TenantLedger } from "../tenants/ledger.ts";
import { DEFAULT_HISTORY_LIMIT } from "../tenants/ledger.ts";
import type { FieldChange, TenantAction } from "../tenants/record-diff.ts";

export type SqlValue = string | number | null;
export type SqlStatement = { sql: string; params: SqlValue[] };
/** Runs the statements as one batch (one transaction) and answers each one's result rows. */
export type ExecuteSql = (statements: SqlStatement[]) => Promise<Record<string, unknown>[][]>;

/** What a failed publish keeps of the error: enough to act on, bounded. */
const MAX_ERROR_LENGTH = 300;

const RECORD_COLUMNS = "tenant_id, record, version, updated_at, published_version";
const AUDIT_COLUMNS =
  "id, tenant_id, version, at, actor, source, action, changes, reason, published_at, publish_attempts, publish_failed_at, publish_error";

export function createSqlLedger(execute: ExecuteSql): TenantLedger {
  const one = async (statement: SqlStatement) => (await execute([statement]))[0] ?? [];
  return {
    async get(tenantId) {
      const [row] = await one({ sql: `SELECT ${RECORD_COLUMNS} FROM tenant_records WHERE tenant_id = ?`, params: [tenantId] });
      return row ? toRecord(row) : undefined;
    },
    async list() {
      return (await one({ sql: `SELECT ${RECORD_COLUMNS} FROM tenant_records ORDER BY tenant_id`, params: [] })).map(toRecord);
    },
    async commit(tenantId, baseVersion, raw, entry) {
      const version = baseVersion + 1;
      const write: SqlStatement =
        baseVersion === 0
          ? {
              sql:
                "INSERT INTO tenant_records (tenant_id, record, version, last_audit_id, updated_at, published_version) VALUES (?, ?, 1, ?, ?, 0) " +
                "ON CONFLICT (tenant_id) DO NOTHING RETURNING version",
              params: [tenantId, raw, entry.id, entry.at],
            }
          : {
              sql: "UPDATE tenant_records SET record = ?, version = ?, last_audit_id = ?, updated_at = ? WHERE tenant_id = ? AND version = ? RETURNING version",
              params: [raw, version, entry.id, entry.at, tenantId, baseVersion],
            };
      const audit: SqlStatement = {
        sql:
          "INSERT INTO tenant_audit (id, tenant_id, version, at, actor, source, action, changes, reason) " +
          "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM tenant_records WHERE tenant_id = ? AND last_audit_id = ?)",
        params: [
          entry.id,
          tenantId,
          version,
          entry.at,
          entry.actor.name,
          entry.actor.source,
          entry.action,
          JSON.stringify(entry.changes),
          entry.reason ?? null,
          tenantId,
          entry.id,
        ],
      };
      const [written = []] = await execute([write, audit]);
      return written.length === 1;
    },
    async history(tenantId, limit = DEFAULT_HISTORY_LIMIT) {
      const rows = await one({
        sql: `SELECT ${AUDIT_COLUMNS} FROM tenant_audit WHERE tenant_id = ? ORDER BY version DESC LIMIT ?`,
        params: [tenantId, wholeNumber(limit)],
      });
      return rows.map(toAuditEntry);
    },
    async markPublished(tenantId, version, at) {
      const [marked = []] = await execute([
        {
          sql: "UPDATE tenant_records SET published_version = ? WHERE tenant_id = ? AND version = ? AND published_version < ? RETURNING version",
          params: [version, tenantId, version, version],
        },
        // Every entry up to this version is in KV now (a later record includes the earlier changes).
        {
          sql:
            "UPDATE tenant_audit SET published_at = ? WHERE tenant_id = ? AND version <= ? AND published_at IS NULL " +
            "AND EXISTS (SELECT 1 FROM tenant_records WHERE tenant_id = ? AND published_version >= ?)",
          params: [at, tenantId, version, tenantId, version],
        },
      ]);
      if (marked.length === 1) return true;
      // Already marked by someone else (the cron, say): published all the same, as long as it is the latest.
      const latest = await this.get(tenantId);
      return latest !== undefined && latest.version === version && latest.publishedVersion >= version;
    },
    async markUnpublished(tenantId) {
      await one({ sql: "UPDATE tenant_records SET published_version = 0 WHERE tenant_id = ?", params: [tenantId] });
    },
    async recordPublishFailure(tenantId, version, at, error) {
      await one({
        sql: "UPDATE tenant_audit SET publish_attempts = publish_attempts + 1, publish_failed_at = ?, publish_error = ? WHERE tenant_id = ? AND version = ?",
        params: [at, error.slice(0, MAX_ERROR_LENGTH), tenantId, version],
      });
    },
    async unpublished(limit) {
      const rows = await one({
        sql: "SELECT tenant_id FROM tenant_records WHERE published_version < version ORDER BY updated_at LIMIT ?",
        params: [wholeNumber(limit)],
      });
      return rows.map((row) => String(row.tenant_id));
    },
  };
}

function toRecord(row: Record<string, unknown>): LedgerRecord {
  return {
    tenantId: String(row.tenant_id),
    version: Number(row.version),
    raw: typeof row.record === "string" ? row.record : null,
    updatedAt: String(row.updated_at),
    publishedVersion: Number(row.published_version),
  };
}

function toAuditEntry(row: Record<string, unknown>): AuditEntry {
  const optional = (value: unknown) => (typeof value === "string" ? value : undefined);
  const reason = optional(row.reason);
  const publishedAt = optional(row.published_at);
  const publishFailedAt = optional(row.publish_failed_at);
  const publishError = optional(row.publish_error);
  return {
    id: String(row.id),
    tenantId: String(row.tenant_id),
    version: Number(row.version),
    at: String(row.at),
    actor: { name: String(row.actor), source: row.source === "console" ? "console" : "cli" },
    action: String(row.action) as TenantAction,
    changes: parseChanges(row.changes),
    ...(reason !== undefined ? { reason } : {}),
    ...(publishedAt !== undefined ? { publishedAt } : {}),
    publishAttempts: Number(row.publish_attempts ?? 0),
    ...(publishFailedAt !== undefined ? { publishFailedAt } : {}),
    ...(publishError !== undefined ? { publishError } : {}),
  };
}

function parseChanges(value: unknown): FieldChange[] {
  try {
    const parsed: unknown = JSON.parse(String(value));
    return Array.isArray(parsed) ? (parsed as FieldChange[]) : [];
  } catch {
    return [];
  }
}

function wholeNumber(value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError("a limit is a whole number of at least 1");
  return value;
}

