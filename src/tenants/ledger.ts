// The allow-list's ledger port: each tenant's latest record with its version, and the audit trail of every
// change (issue 14 §3). KV cannot serialise edits (no conditional write, reads cached for up to a minute), so
// the commands record each change here first, conditionally on the version it was based on, and only then
// publish the record to KV, which stays what the SCIM path reads. One implementation runs the same SQL on a
// D1 binding (the console, the cron) and through `wrangler d1 execute` (the CLI): src/db/tenant-ledger.ts.
import type { FieldChange, TenantAction } from "./record-diff.ts";

/** Who made a change, and through what. */
export type Actor = { name: string; source: "console" | "cli" };

export type LedgerRecord = {
  tenantId: string;
  /** Increases by one with every recorded change; 0 stands for "never recorded here". */
  version: number;
  /** The record's JSON, as put into KV; null once the tenant was removed. */
  raw: string | null;
  updatedAt: string;
  /** The highest version known to be in KV. */
  publishedVersion: number;
};

export type NewAuditEntry = {
  id: string;
  at: string;
  actor: Actor;
  action: TenantAction;
  changes: FieldChange[];
  reason?: string;
};

export type AuditEntry = NewAuditEntry & {
  tenantId: string;
  version: number;
  /** When KV was seen holding this version or a later one; absent while the publish is pending or failing. */
  publishedAt?: string;
  /** Failed attempts to put this version into KV (the cron retries every minute). */
  publishAttempts: number;
  publishFailedAt?: string;
  publishError?: string;
};

export interface TenantLedger {
  get(tenantId: string): Promise<LedgerRecord | undefined>;
  /** Every recorded tenant, removed ones included, by tenant id. */
  list(): Promise<LedgerRecord[]>;
  /**
   * Records `raw` as version `baseVersion + 1`, with its audit entry, only if `baseVersion` is still the
   * tenant's latest (0: never recorded). False when someone else's change came first: nothing is written.
   */
  commit(tenantId: string, baseVersion: number, raw: string | null, entry: NewAuditEntry): Promise<boolean>;
  /** The newest entries first. */
  history(tenantId: string, limit?: number): Promise<AuditEntry[]>;
  /** KV holds `version`: marks it published if it is still the latest. False when a newer one came meanwhile. */
  markPublished(tenantId: string, version: number, at: string): Promise<boolean>;
  /** KV may hold an older record than the ledger says (a late put landed last): the cron publishes again. */
  markUnpublished(tenantId: string): Promise<void>;
  /** A put of `version` into KV failed: counted and kept on its audit entry, for the history. */
  recordPublishFailure(tenantId: string, version: number, at: string, error: string): Promise<void>;
  /** Tenants whose latest version is not known to be in KV, oldest change first. */
  unpublished(limit: number): Promise<string[]>;
}

export const DEFAULT_HISTORY_LIMIT = 50;
