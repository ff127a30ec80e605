// The development tenants that `npm start` puts on the local allow-list: one with a single manager and no
// secret token, on the second shard (DB_2), so every day's local work goes through a shard other than the
// first; and one with four managers, each with its own Tenant URL (/scim/v2/managers/<key>), for
// `npm run entra-sim -- --apps N` (one Entra app per manager), on the first (its record names no shard).
import { managersOf } from "../../tenants/managers.ts";
import type { TenantRecord } from "../../tenants/record.ts";

export const DEV_TENANT_ID = "7e1e5a9e-0000-4000-8000-000000000001";

export const DEV_TENANT_RECORD: TenantRecord = {
  accountId: "TM-DEV-0001",
  name: "TeleMessage development tenant",
  managers: ["Dev Manager"],
  enabled: true,
  shard: "DB_2",
};

export const DEV_APPS_TENANT_ID = "7e1e5a9e-0000-4000-8000-000000000002";

export const DEV_APPS_TENANT_RECORD: TenantRecord = {
  accountId: "TM-DEV-0002",
  name: "TeleMessage development tenant, one Entra app per manager",
  managers: [
    { key: "ann-manager", name: "Ann Manager" },
    { key: "bob-boss", name: "Bob Boss" },
    { key: "cy-chief", name: "Cy Chief" },
    { key: "di-director", name: "Di Director" },
  ],
  enabled: true,
};

/** The active managers' names of a record, in its order. */
export const managerNames = (record: TenantRecord): string[] =>
  (managersOf(record) ?? []).filter((m) => !m.retired).map((m) => m.name);
