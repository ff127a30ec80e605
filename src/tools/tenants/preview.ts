// Showing a write before making it (issue 14 §5: every write to production is shown, target and change, and
// confirmed). The command runs once against a store that stages its writes instead of making them, which
// gives its ChangeResult (the field-by-field change) without touching anything; after a yes, it runs again
// for real. Random bytes drawn by the preview (a new secret token's) are replayed by the real run, so the
// token written is the one whose hash the preview showed. Nothing reaches D1 during the preview: the
// ledger stages its commit like the store (the audit trail gets the real run's entry only), and the users'
// port is left out (a manager rename's moves happen in the real run only).
import type { ChangeResult, TenantCommandDeps } from "../../tenants/commands.ts";
import type { LedgerRecord, TenantLedger } from "../../tenants/ledger.ts";
import type { StoredEntry, TenantStore } from "../../tenants/store.ts";

export type Write = (deps: TenantCommandDeps) => Promise<ChangeResult>;

/** Reads as the real store would answer after the staged writes; writes are staged, never made. */
export function stagingStore(store: TenantStore): TenantStore {
  const staged = new Map<string, string | undefined>();
  return {
    async get(key) {
      return staged.has(key) ? staged.get(key) : store.get(key);
    },
    async put(key, value) {
      staged.set(key, value);
    },
    async delete(key) {
      staged.set(key, undefined);
    },
    async list(prefix) {
      const entries = new Map((await store.list(prefix)).map((e) => [e.key, e.value]));
      for (const [key, value] of staged) {
        if (!key.startsWith(prefix)) continue;
        if (value === undefined) entries.delete(key);
        else entries.set(key, value);
      }
      return [...entries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, value]): StoredEntry => ({ key, value }));
    },
  };
}

/** Reads the real ledger; a commit is checked against it (same version rule) and staged, never written. */
export function stagingLedger(ledger: TenantLedger): TenantLedger {
  const staged = new Map<string, LedgerRecord>();
  return {
    get: async (tenantId) => staged.get(tenantId) ?? ledger.get(tenantId),
    list: async () => {
      const records = new Map((await ledger.list()).map((r) => [r.tenantId, r]));
      for (const [tenantId, record] of staged) records.set(tenantId, record);
      return [...records.values()];
    },
    history: (tenantId, limit) => ledger.history(tenantId, limit),
    async commit(tenantId, baseVersion, raw, entry) {
      const current = staged.get(tenantId) ?? (await ledger.get(tenantId));
      if ((current?.version ?? 0) !== baseVersion) return false;
      staged.set(tenantId, { tenantId, version: baseVersion + 1, raw, updatedAt: entry.at, publishedVersion: current?.publishedVersion ?? 0 });
      return true;
    },
    markPublished: async () => true,
    markUnpublished: async () => {},
    recordPublishFailure: async () => {},
    unpublished: async () => [],
  };
}

/**
 * Runs `write` as a preview; answers its result and the deps for the real run (the same store, users and
 * clock, and the preview's random bytes replayed).
 */
export async function previewWrite(write: Write, deps: TenantCommandDeps): Promise<{ preview: ChangeResult; real: TenantCommandDeps }> {
  const draw = deps.random ?? ((bytes: Uint8Array) => crypto.getRandomValues(bytes));
  const drawn: Uint8Array[] = [];
  const { users: _users, ...rest } = deps;
  const preview = await write({
    ...rest,
    store: stagingStore(deps.store),
    ledger: stagingLedger(deps.ledger),
    random: (bytes) => {
      const filled = draw(bytes);
      drawn.push(filled.slice());
      return filled;
    },
  });
  let next = 0;
  const replay = (bytes: Uint8Array) => {
    const recorded = drawn[next++];
    if (!recorded || recorded.length !== bytes.length) return draw(bytes);
    bytes.set(recorded);
    return bytes;
  };
  return { preview, real: { ...deps, random: replay } };
}
