// A small bounded map whose entries expire at a time of their own. Module-scope caches in the Worker use it
// (verified tokens, allow-list records): an isolate serves many requests, and without a bound a flood of
// distinct keys would grow memory with traffic. The clock is injected.
export type ExpiringCache<V> = {
  get(key: string): V | undefined;
  set(key: string, value: V, expiresAt: number): void;
  delete(key: string): void;
  readonly size: number;
};

export function createExpiringCache<V>(maxEntries: number, now: () => number): ExpiringCache<V> {
  const entries = new Map<string, { value: V; expiresAt: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    set(key, value, expiresAt) {
      if (expiresAt <= now()) return;
      entries.delete(key);
      // Map keeps insertion order: the first key is the oldest write.
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(key, { value, expiresAt });
    },
    delete(key) {
      entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
}
