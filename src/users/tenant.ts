import type { TenantRecord } from "../tenants/record.ts";

/** Who a request acts for: the Entra tenant (lower-case GUID) and its allow-list record. */
export type Tenant = { tenantId: string; record: TenantRecord };
