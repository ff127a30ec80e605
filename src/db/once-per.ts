/**
 * Builds a value once per key object (a D1 binding, a Drizzle handle) and hands back the same one after.
 * The runtime gives an isolate's requests the same binding objects, so per-request work becomes per-isolate
 * work; the WeakMap lets a value go with its key.
 */
export function oncePer<K extends object, T>(build: (key: K) => T): (key: K) => T {
  const built = new WeakMap<K, T>();
  return (key) => {
    let value = built.get(key);
    if (value === undefined) {
      value = build(key);
      built.set(key, value);
    }
    return value;
  };
}
