// The allow-list port kept in a Map: the reference the contract test holds the real stores to, and the
// store the command tests run on.
import type { StoredEntry, TenantStore } from "../../src/tenants/store.ts";

export function createMemoryStore(initial: Iterable<StoredEntry> = []): TenantStore {
  const entries = new Map<string, string>();
  for (const { key, value } of initial) entries.set(key, value);
  return {
    get: async (key) => entries.get(key),
    put: async (key, value) => {
      entries.set(key, value);
    },
    delete: async (key) => {
      entries.delete(key);
    },
    list: async (prefix) =>
      [...entries]
        .filter(([key]) => key.startsWith(prefix))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, value]) => ({ key, value })),
  };
}
