// What to do about one refusal the tenant's Entra job received, in a line, for the console's "recent
// refusals" table. Pure. The refusal's own detail (what Entra's provisioning log showed) already says what
// was wrong; this says who changes what. The doctor's findings (activity/doctor.ts) sum refusals up.
import type { Refusal } from "../activity/read-model.ts";
import { closestName } from "../tenants/closest-name.ts";
import { activeManagers, managersOf } from "../tenants/managers.ts";
import type { TenantRecord } from "../tenants/record.ts";

export function refusalFix(refusal: Refusal, record: TenantRecord | undefined): string {
  if (refusal.reason === "unknown_manager") {
    const registered = activeManagers(managersOf(record ?? {}) ?? []).map((m) => m.name);
    const near = closestName(refusal.sent ?? "", registered);
    return near
      ? `Entra admin: the app's displayName constant is misspelled; set it to "${near}".`
      : `Entra admin: set the app's displayName constant to a registered manager (${registered.join(", ") || "none"}); or add "${refusal.sent ?? ""}" as a manager here if TeleMessage has created it.`;
  }
  if (refusal.reason === "wrong_manager_for_app") return "Entra admin: each manager's app must send that manager's name; check the app's Tenant URL against the list above.";
  if (refusal.reason === "quota_reached") return "Account manager: the tenant has the most users its record allows; raise maxUsers (npm run tenants) or ask the admin to narrow the app's scope.";
  if (refusal.reason === "tenant_disabled" || refusal.status === 403) return "Account manager: the tenant is disabled or not approved; enable it below if the customer should provision.";
  if (refusal.status === 429) return "Nobody, usually: Entra backs off and retries. If it persists, operations raise the tenant rate limit.";
  if (refusal.status >= 500) return `Operations: our side; Entra retries. Look request id ${refusal.requestId} up in Workers Logs.`;
  if (refusal.status === 409) return "Entra admin: a user with this userName (mobile number) is already provisioned, from another app or an earlier assignment; check the number is not used by two people.";
  if (refusal.status === 404) return "Usually nobody: Entra asked for a user deleted here before; its next cycle re-creates or skips it.";
  if (/international|country|calling code|national/i.test(refusal.detail)) {
    return "Entra admin: map userName (and externalId) to the mobile number in international format, digits only (US 11234567890, UK 441234567890).";
  }
  if (refusal.scimType === "invalidValue" || refusal.scimType === "invalidSyntax") return "Entra admin: fix the attribute mapping the detail names (docs/entra-setup.md, the TeleMessage mappings).";
  return "Entra admin: see the detail; docs/entra-setup.md, \"Troubleshooting\", lists every answer.";
}
