// The allow-list stores the CLI can use, held to one contract: the in-memory reference and the wrangler
// store, here through the wrangler stand-in (test/support/wrangler-stand-in.mjs), which
// test/node/wrangler-contract.test.ts holds to real wrangler on a real local KV with the same contract. The
// wrangler store writes into a throwaway --persist-to directory, never into the developer's .wrangler/state.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { createWranglerKvStore } from "../../src/tools/wrangler/kv-store.ts";
import { createMemoryStore } from "../support/memory-store.ts";
import { describeTenantStoreContract } from "../support/tenant-store-contract.ts";
import { runStandIn } from "../support/wrangler-stand-in-path.ts";

const stateDirs: string[] = [];
afterAll(() => stateDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Each test its own state directory, so the tests can run at once without sharing a SQLite file. */
function throwawayLocalKv() {
  const persistTo = mkdtempSync(join(tmpdir(), "tenants-contract-"));
  stateDirs.push(persistTo);
  return createWranglerKvStore({ remote: false, persistTo }, runStandIn);
}

describeTenantStoreContract("in memory", () => createMemoryStore());
describeTenantStoreContract("wrangler (the stand-in)", throwawayLocalKv, { timeout: 30_000, concurrent: true });
