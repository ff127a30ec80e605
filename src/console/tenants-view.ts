// The console's tenants page: every tenant, searchable, with its status, when it was last seen and its errors
// in the last 24 h; and the form that approves a new one. Pure: data in, HTML out.
import { html } from "hono/html";
import type { TenantSummary } from "../activity/read-model.ts";
import type { ListedTenant } from "../tenants/commands.ts";
import { managersOf } from "../tenants/managers.ts";
import { formGuard, page, reasonField, type Frame, type Html } from "./layout.ts";

export type TenantRow = { tenant: ListedTenant; summary: TenantSummary | undefined };

export const STATUS_FILTERS = ["all", "enabled", "disabled", "unpublished", "invalid"] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

/** Whether a tenant matches the search text: its id, name, account or a manager's name, ignoring case. */
export function matchesSearch(tenant: ListedTenant, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  const words = [tenant.tenantId];
  if (tenant.valid) words.push(tenant.record.name, tenant.record.accountId, ...(managersOf(tenant.record) ?? []).flatMap((m) => [m.name, ...m.aliases]));
  return words.some((w) => w.toLowerCase().includes(q));
}

export function statusOf(tenant: ListedTenant): Exclude<StatusFilter, "all"> {
  if (!tenant.valid) return "invalid";
  if (tenant.ledger && tenant.ledger.publishedVersion < tenant.ledger.version) return "unpublished";
  return tenant.record.enabled ? "enabled" : "disabled";
}

const STATUS_LABEL: Record<Exclude<StatusFilter, "all">, Html> = {
  enabled: html`<span class="pill ok">enabled</span>`,
  disabled: html`<span class="pill bad">disabled</span>`,
  unpublished: html`<span class="pill warn">not yet in KV</span>`,
  invalid: html`<span class="pill bad">invalid record</span>`,
};

export function tenantsPage(frame: Frame, rows: TenantRow[], query: string, status: StatusFilter, total: number): Html {
  const body = html`<h1>Tenants</h1>
<form method="get" action="/">
<label><span>Search</span><input type="search" name="q" value="${query}" placeholder="tenant id, customer, account or manager" size="40">
<select name="status">${STATUS_FILTERS.map((s) => html`<option value="${s}"${s === status ? html` selected` : ""}>${s}</option>`)}</select>
<button type="submit">Search</button></label>
</form>
<p class="muted">${rows.length} of ${total} tenants.</p>
<table>
<thead><tr><th>Customer</th><th>Tenant</th><th>Account</th><th>Status</th><th>Managers</th><th>Last seen</th><th>Errors (24 h)</th></tr></thead>
<tbody>
${rows.map(({ tenant, summary }) => {
  const managers = tenant.valid ? managersOf(tenant.record) : undefined;
  return html`<tr>
<td><a href="/tenants/${tenant.tenantId}">${tenant.valid ? tenant.record.name : "(unreadable record)"}</a></td>
<td><code>${tenant.tenantId}</code></td>
<td>${tenant.valid ? tenant.record.accountId : "-"}</td>
<td>${STATUS_LABEL[statusOf(tenant)]}</td>
<td>${managers ? managers.filter((m) => !m.retired).length : html`<span class="muted">any</span>`}</td>
<td>${summary?.lastRequestAt ? summary.lastRequestAt.replace("T", " ").slice(0, 16) : html`<span class="muted">never (30 days)</span>`}</td>
<td>${summary && summary.errorsLast24h > 0 ? html`<span class="bad">${summary.errorsLast24h}</span>` : "0"}</td>
</tr>`;
})}
</tbody>
</table>`;
  return page(frame, body);
}

export type ApproveValues = { tenantId?: string; accountId?: string; name?: string; managers?: string; callingCodes?: string };

export function approvePage(frame: Frame, csrfToken: string, values: ApproveValues = {}, error?: string): Html {
  const body = html`<h1>Approve a tenant</h1>
${error ? html`<p class="error">${error}</p>` : ""}
<p>The customer's Entra admin sends the tenant ID (Entra admin center, Overview). Approving puts it on the allow-list the gateway reads.</p>
<form method="post" action="/tenants">
${formGuard(csrfToken)}
<fieldset>
<label><span>Entra tenant ID</span><input type="text" name="tenantId" value="${values.tenantId ?? ""}" size="40" required placeholder="72f988bf-86f1-41af-91ab-2d7cd011db47"></label>
<label><span>TeleMessage account</span><input type="text" name="accountId" value="${values.accountId ?? ""}" required placeholder="TM-1001"></label>
<label><span>Customer name</span><input type="text" name="name" value="${values.name ?? ""}" size="40" required></label>
<label><span>Managers (one per line)</span><textarea name="managers" placeholder="Ann Manager">${values.managers ?? ""}</textarea></label>
<label><span></span><input type="checkbox" name="anyManager" value="1"> accept any manager name (no list)</label>
<label><span>Country calling codes</span><input type="text" name="callingCodes" value="${values.callingCodes ?? ""}" placeholder="1, 44 (empty: any)"></label>
<label><span></span><input type="checkbox" name="disabled" value="1"> add it disabled</label>
${reasonField()}
<button type="submit">Approve</button>
</fieldset>
</form>`;
  return page(frame, body);
}
