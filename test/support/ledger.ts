// The allow-list commands as the console and the cron run them in the Worker: the ledger on the real local
// D1 (the control plane's tables), KV through the TENANTS binding.
import { env } from "cloudflare:test";
import { executeOnD1 } from "../../src/db/d1-execute.ts";
import { createSqlLedger } from "../../src/db/tenant-ledger.ts";
import type { TenantCommandDeps } from "../../src/tenants/commands.ts";
import { createKvBindingStore } from "../../src/tenants/kv-binding-store.ts";

export const TEST_ACTOR = { name: "ann.am@telemessage.example", source: "cli" } as const;

export const d1Ledger = (d1: D1Database = env.DB) => createSqlLedger(executeOnD1(d1));

export const commandDeps = (overrides: Partial<TenantCommandDeps> = {}): TenantCommandDeps => ({
  ledger: d1Ledger(),
  store: createKvBindingStore(env.TENANTS),
  actor: TEST_ACTOR,
  now: () => new Date(),
  ...overrides,
});
