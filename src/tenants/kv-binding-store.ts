// The allow-list port on a Workers KV binding (the TENANTS namespace a Worker sees). The CLI reaches KV
// through wrangler instead; this adapter lets the same commands run where the binding is at hand: the
// console and the cron publish recorded changes through it (ledger.ts). The SCIM path never writes the
// allow-list; it reads it through src/auth/tenant-lookup.ts.
import type { StoredEntry, TenantStore } from "./store.ts";

/** KV's list() returns at most 1,000 keys per call; bulk get() takes at most 100. */
const BULK_GET_MAX = 100;

export function createKvBindingStore(kv: KVNamespace): TenantStore {
  return {
    get: async (key) => (await kv.get(key, "text")) ?? undefined,
    put: (key, value) => kv.put(key, value),
    delete: (key) => kv.delete(key),
    async list(prefix) {
      const keys: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await kv.list({ prefix, ...(cursor ? { cursor } : {}) });
        keys.push(...page.keys.map((k) => k.name));
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      const entries: StoredEntry[] = [];
      for (let i = 0; i < keys.length; i += BULK_GET_MAX) {
        const values = await kv.get(keys.slice(i, i + BULK_GET_MAX), "text");
        for (const [key, value] of values) if (value !== null) entries.push({ key, value });
      }
      return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
  };
}
