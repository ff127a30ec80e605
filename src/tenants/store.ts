// The allow-list's storage port: Workers KV seen as text values under string keys. The account managers'
// commands (commands.ts) work against this and nothing else, so the same code runs on the local KV and on
// Cloudflare through wrangler (src/tools/wrangler/kv-store.ts), on a Worker's KV binding
// (test/support/kv-binding-store.ts) and in memory (test/support/memory-store.ts). One contract test suite holds them all to the
// same behaviour (test/support/tenant-store-contract.ts).
//
// KV has no compare-and-set: two people editing the same tenant at once means the last write wins.

export type StoredEntry = { key: string; value: string };

export interface TenantStore {
  /** The value under `key`, or undefined when there is none. */
  get(key: string): Promise<string | undefined>;
  /** Writes `value` under `key`, replacing whatever was there. */
  put(key: string, value: string): Promise<void>;
  /** Removes `key`; removing a key that does not exist is not an error. */
  delete(key: string): Promise<void>;
  /** Every entry whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<StoredEntry[]>;
}
