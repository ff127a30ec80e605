// The behaviour every allow-list store must share (src/tenants/store.ts), as one suite that each test
// project runs against its stores: in memory and through wrangler on a real local KV (node), and on the
// Worker's KV binding (workers). Keys carry a fresh prefix per test, so stores may be shared.
import { describe, expect, it } from "vitest";
import type { TenantStore } from "../../src/tenants/store.ts";

let runs = 0;
const freshPrefix = () => `contract-${Date.now().toString(36)}-${++runs}:`;

export type ContractOptions = {
  /** Per test, for stores that spawn processes. */
  timeout?: number;
  /** Run the tests at once (each must then open its own store). */
  concurrent?: boolean;
};

export function describeTenantStoreContract(
  name: string,
  openStore: () => TenantStore | Promise<TenantStore>,
  { timeout, concurrent = false }: ContractOptions = {},
) {
  describe(`TenantStore contract: ${name}`, { concurrent }, () => {
    it("answers undefined for a key that was never written", { timeout }, async () => {
      const store = await openStore();
      expect(await store.get(`${freshPrefix()}missing`)).toBeUndefined();
    });

    it("gives back exactly the last text put under a key", { timeout }, async () => {
      const store = await openStore();
      const key = `${freshPrefix()}tenant`;
      await store.put(key, '{"name":"first"}');
      const value = JSON.stringify({ name: "Zoë Ørsted – 株式会社", note: "quotes \" and 'apostrophes' --not-a-flag" });
      await store.put(key, value);
      expect(await store.get(key)).toBe(value);
    });

    it("lists the entries under a prefix with their values, in key order, and nothing else", { timeout }, async () => {
      const store = await openStore();
      const prefix = freshPrefix();
      await store.put(`${prefix}b`, "B");
      await store.put(`${prefix}a`, "A");
      await store.put(`x${prefix}c`, "elsewhere");
      expect(await store.list(prefix)).toEqual([
        { key: `${prefix}a`, value: "A" },
        { key: `${prefix}b`, value: "B" },
      ]);
    });

    it("deletes a key, and deleting a key that is not there is no error", { timeout }, async () => {
      const store = await openStore();
      const prefix = freshPrefix();
      await store.delete(`${prefix}never-written`);
      await store.put(`${prefix}gone`, "soon");
      await store.delete(`${prefix}gone`);
      expect(await store.list(prefix)).toEqual([]);
    });
  });
}
