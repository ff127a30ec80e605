import type { Manager } from "../tenants/managers.ts";
import type { TenantRecord } from "../tenants/record.ts";

/**
 * Who a request acts for: the Entra tenant (lower-case GUID), its allow-list record, and, when the request
 * came through a manager's own Tenant URL (/scim/v2/managers/<key>), that manager. `requestId` is the
 * request's own id (X-Request-Id): each change event it records keeps it, so the delivery lines of the
 * queue consumer name the request that made the change (issue 14 §4).
 */
export type Tenant = { tenantId: string; record: TenantRecord; app?: Manager; requestId?: string };
