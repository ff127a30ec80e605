// The Worker's own KV adapter (src/tenants/kv-binding-store.ts), where the tests have long found it.
export { createKvBindingStore } from "../../src/tenants/kv-binding-store.ts";
