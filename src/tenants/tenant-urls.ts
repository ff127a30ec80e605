// The Tenant URL of each manager's Entra app (https://<host>/scim/v2/managers/<key>?aadOptscim062020), as the
// CLI's `show` prints them and the console shows them ready to copy. Pure.
import { toManagers } from "./managers.ts";
import type { TenantRecord } from "./record.ts";

export type TenantUrl = { key: string; name: string; aliases: string[]; retired: boolean; url: string };

/** Each manager's Tenant URL, ready to paste into its Entra app; undefined when the record lists none. */
export function managerTenantUrls(record: TenantRecord, host: string | undefined): TenantUrl[] | undefined {
  if (!record.managers) return undefined;
  return toManagers(record.managers).map((m) => ({
    key: m.key,
    name: m.name,
    aliases: [...m.aliases],
    retired: m.retired,
    url: `${host ?? "https://<gateway host>"}/scim/v2/managers/${m.key}?aadOptscim062020`,
  }));
}

