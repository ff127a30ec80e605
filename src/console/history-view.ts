// A tenant's audit trail as a table: each version with when, who (an Access e-mail, or the CLI's
// TENANTS_ACTOR / wrangler login), what changed field by field, why, and whether the gateway has it (KV), a
// failed publish with its error until the cron lands it. The same entries `npm run tenants -- history` prints.
import { html } from "hono/html";
import type { AuditEntry } from "../tenants/ledger.ts";
import { describeManagerList } from "./managers-text.ts";
import type { Html } from "./layout.ts";

export function historyTable(entries: AuditEntry[]): Html {
  if (entries.length === 0) return html`<p class="muted">No recorded changes yet (a tenant approved before the audit trail is recorded with its next change).</p>`;
  return html`<table>
<thead><tr><th>Version</th><th>When</th><th>Who</th><th>What</th><th>Changes</th><th>Reason</th><th>In KV</th></tr></thead>
<tbody>${entries.map(
    (e) => html`<tr>
<td>${e.version}</td><td>${e.at.replace("T", " ").slice(0, 19)}</td><td>${e.actor.name} <span class="muted">(${e.actor.source})</span></td><td>${e.action}</td>
<td>${e.changes.map((c) => html`<div><strong>${c.field}</strong>: ${valueText(c.field, c.from)} → ${valueText(c.field, c.to)}</div>`)}</td>
<td>${e.reason ?? ""}</td>
<td>${publishCell(e)}</td>
</tr>`,
  )}</tbody>
</table>`;
}

function publishCell(e: AuditEntry): Html {
  const failures = e.publishAttempts ? `${e.publishAttempts} failed ${e.publishAttempts === 1 ? "attempt" : "attempts"}` : "";
  if (e.publishedAt) return html`<span class="ok">published</span>${failures ? html` <span class="muted">after ${failures}</span>` : ""}`;
  if (failures) return html`<span class="bad">not published: ${failures}, last ${e.publishFailedAt ?? ""}: ${e.publishError ?? ""}</span>; the cron retries every minute`;
  return html`<span class="warn">pending</span>`;
}

function valueText(field: string, value: unknown): string {
  if (value === undefined || value === null) return "(none)";
  if (field === "managers") return describeManagerList(value);
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}
