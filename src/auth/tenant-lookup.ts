// Reads a tenant's allow-list record from KV. A record that does not parse is treated as absent (and
// logged by the caller), so a hand-edited mistake locks the tenant out instead of half-working. KV being
// unreachable is different: that is a 503, which Entra retries, rather than a 403 that alarms the admin.
import { unavailable } from "../scim/scim-error.ts";
import { parseStoredRecord, tenantKey, type TenantRecord } from "../tenants/record.ts";

export type TenantLookup =
  | { found: true; record: TenantRecord }
  | { found: false; reason: "tenant_not_listed" | "tenant_record_invalid" };

export async function lookupTenant(kv: KVNamespace, tenantId: string): Promise<TenantLookup> {
  let text: string | null;
  try {
    text = await kv.get(tenantKey(tenantId), "text");
  } catch {
    throw unavailable("The tenant allow-list is temporarily unavailable; Entra ID retries automatically.");
  }
  if (text === null) return { found: false, reason: "tenant_not_listed" };
  const stored = parseStoredRecord(text);
  return stored.ok ? { found: true, record: stored.record } : { found: false, reason: "tenant_record_invalid" };
}
