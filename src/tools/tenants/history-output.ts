// `npm run tenants -- history <tenant>`: the audit trail of one tenant as a person reads it, newest first.
// Pure. The same entries the web console shows on the tenant's page.
import type { AuditEntry } from "../../tenants/ledger.ts";
import type { WranglerTarget } from "../wrangler/kv-store.ts";
import { describeManagers, describeTarget } from "./output.ts";
import type { ManagerList } from "../../tenants/managers.ts";

export function renderHistory(tenantId: string, entries: AuditEntry[], target: WranglerTarget): string {
  if (entries.length === 0) {
    return `No recorded changes of tenant ${tenantId} on ${describeTarget(target)}. (A tenant approved before the audit trail existed is recorded with its next change.)\n`;
  }
  const blocks = entries.map((entry) => {
    const head = `v${entry.version}  ${entry.at}  ${entry.action}  by ${entry.actor.name} (${entry.actor.source})`;
    const lines = [head];
    if (entry.reason) lines.push(`    reason: ${entry.reason}`);
    for (const change of entry.changes) lines.push(`    ${change.field}: ${formatValue(change.field, change.from)} -> ${formatValue(change.field, change.to)}`);
    lines.push(`    ${publishState(entry)}`);
    return lines.join("\n");
  });
  return `History of tenant ${tenantId} on ${describeTarget(target)}, newest first:\n\n${blocks.join("\n\n")}\n`;
}

/** Whether the gateway serves this change yet: KV holds it (or a later version), or why not. */
export function publishState(entry: AuditEntry): string {
  const failures = entry.publishAttempts ? `${entry.publishAttempts} failed ${entry.publishAttempts === 1 ? "attempt" : "attempts"}` : "";
  if (entry.publishedAt) return `published to KV ${entry.publishedAt}${failures ? ` (after ${failures})` : ""}`;
  if (failures) return `NOT PUBLISHED: ${failures}, last ${entry.publishFailedAt}: ${entry.publishError}; the cron retries every minute`;
  return "not published yet: the cron publishes it within a minute";
}

function formatValue(field: string, value: unknown): string {
  if (value === undefined || value === null) return "(none)";
  if (field === "managers") return describeManagers(value as ManagerList);
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}
