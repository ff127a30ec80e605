// The development tenant that `npm start` puts on the local allow-list: one manager, no secret token.
import type { TenantRecord } from "../tenants/record.ts";

export const DEV_TENANT_ID = "7e1e5a9e-0000-4000-8000-000000000001";

export const DEV_TENANT_RECORD: TenantRecord = {
  accountId: "TM-DEV-0001",
  name: "TeleMessage development tenant",
  managers: ["Dev Manager"],
  enabled: true,
};
