// Putting the ledger's latest record into KV (what the SCIM path reads), after a change is recorded and
// again from the cron for any tenant whose latest version is not known to be there.
//
// Always the LATEST record, never the one a change produced: two changes publishing at once could otherwise
// land in the wrong order (KV keeps the last put). After each put the ledger is asked whether that version is
// still the latest (markPublished); if a newer change came meanwhile, its record is put too, so the last put
// is always of the latest version. A put that fails is counted on the version's audit entry, with what KV
// said, and left for the cron, which runs every minute; the history shows both.
import type { LedgerRecord, TenantLedger } from "./ledger.ts";
import { tenantKey } from "./record.ts";
import type { TenantStore } from "./store.ts";

export type PublishDeps = { ledger: TenantLedger; store: TenantStore; now: () => Date };

export type PublishOutcome = { ok: true; version: number } | { ok: false; version: number; error: string };

/** Rounds of "put the latest, check it is still the latest" before leaving the rest to the cron. */
const MAX_ROUNDS = 5;
/** Tenants the cron publishes per run; the rest wait a minute. */
export const PUBLISH_BATCH = 50;

/** `known`: the ledger's row as the caller just wrote it, which spares the first read. */
export async function publishLatest(deps: PublishDeps, tenantId: string, known?: LedgerRecord): Promise<PublishOutcome> {
  let version = 0;
  // Once a put of ours may have landed after a newer one, KV may hold an old record whatever the ledger says
  // was published: from then on the latest is put again, even if marked published.
  let mayHaveOverwritten = false;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const latest = round === 0 && known ? known : await deps.ledger.get(tenantId);
    if (!latest) return { ok: true, version: 0 };
    version = latest.version;
    if (!mayHaveOverwritten && latest.publishedVersion >= latest.version) return { ok: true, version };
    const at = deps.now().toISOString();
    try {
      if (latest.raw === null) await deps.store.delete(tenantKey(tenantId));
      else await deps.store.put(tenantKey(tenantId), latest.raw);
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      // The change itself is recorded; a failure to note the failure must not hide that.
      await deps.ledger.recordPublishFailure(tenantId, version, at, message).catch(() => undefined);
      if (mayHaveOverwritten) await deps.ledger.markUnpublished(tenantId).catch(() => undefined);
      return { ok: false, version, error: message };
    }
    if (await deps.ledger.markPublished(tenantId, version, at)) return { ok: true, version };
    mayHaveOverwritten = true;
  }
  const error = "the record kept changing while it was being published; the cron publishes the latest";
  await deps.ledger.markUnpublished(tenantId).catch(() => undefined);
  return { ok: false, version, error };
}

export type PublishReport = { published: number; failed: number };

/** The cron's part: every tenant whose latest version is not known to be in KV, a batch per run. */
export async function publishPending(deps: PublishDeps, limit = PUBLISH_BATCH): Promise<PublishReport> {
  const report: PublishReport = { published: 0, failed: 0 };
  for (const tenantId of await deps.ledger.unpublished(limit)) {
    const outcome = await publishLatest(deps, tenantId);
    if (outcome.ok) report.published++;
    else report.failed++;
  }
  return report;
}
