// Reads a tenant's allow-list record from KV. A record that does not parse is treated as absent (and
// logged by the caller), so a hand-edited mistake locks the tenant out instead of half-working.
import { TenantRecord, tenantKey } from "../tenants/record.ts";

export type TenantLookup =
  | { found: true; record: TenantRecord }
  | { found: false; reason: "tenant_not_listed" | "tenant_record_invalid" };

export async function lookupTenant(kv: KVNamespace, tenantId: string): Promise<TenantLookup> {
  const raw = await kv.get(tenantKey(tenantId), "json");
  if (raw === null) return { found: false, reason: "tenant_not_listed" };
  const parsed = TenantRecord.safeParse(raw);
  if (!parsed.success) return { found: false, reason: "tenant_record_invalid" };
  return { found: true, record: parsed.data };
}
