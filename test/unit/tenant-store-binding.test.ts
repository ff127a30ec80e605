// The allow-list port on the Worker's own KV binding keeps the same contract as the CLI's stores.
import { env } from "cloudflare:test";
import { createKvBindingStore } from "../support/kv-binding-store.ts";
import { describeTenantStoreContract } from "../support/tenant-store-contract.ts";

describeTenantStoreContract("Workers KV binding", () => createKvBindingStore(env.TENANTS));
