// The console's page of one tenant: its record, its managers with each one's Tenant URL ready to copy, 30
// days of activity, the recent refusals with their fix, the forwarding state, the doctor's findings, the
// forms that change it, and its history (the audit trail). Pure: data in, HTML out.
import { html } from "hono/html";
import { WHO_LABELS, type Finding } from "../activity/doctor.ts";
import type { TenantActivity } from "../activity/read-model.ts";
import type { ListedTenant } from "../tenants/commands.ts";
import type { AuditEntry } from "../tenants/ledger.ts";
import { describeTokenHash } from "../tenants/record-diff.ts";
import type { TenantRecord } from "../tenants/record.ts";
import { managerTenantUrls } from "../tenants/tenant-urls.ts";
import { activityChart } from "./activity-chart.ts";
import { historyTable } from "./history-view.ts";
import { formGuard, page, reasonField, type Frame, type Html } from "./layout.ts";
import { refusalFix } from "./refusal-fix.ts";

export type TenantPageData = {
  tenant: ListedTenant & { valid: true };
  version: number;
  activity: TenantActivity;
  findings: Finding[];
  history: AuditEntry[];
  /** The SCIM origin for the Tenant URLs (GATEWAY_ORIGIN). */
  gatewayOrigin: string | undefined;
};

export type PageState = { notice?: string; error?: string };

export function tenantPage(frame: Frame, csrfToken: string, data: TenantPageData, state: PageState = {}): Html {
  const { tenant, activity, version } = data;
  const r = tenant.record;
  const guard = formGuard(csrfToken, version);
  const base = `/tenants/${tenant.tenantId}`;
  const body = html`<h1>${r.name} ${r.enabled ? html`<span class="pill ok">enabled</span>` : html`<span class="pill bad">disabled</span>`}</h1>
${state.notice ? html`<p class="notice">${state.notice}</p>` : ""}
${state.error ? html`<p class="error">${state.error}</p>` : ""}
<div class="grid">
<section><h2>Record</h2>${recordTable(tenant, version)}</section>
<section><h2>Doctor</h2>${findingsList(data.findings)}</section>
</div>
<h2>Managers and their Tenant URLs</h2>
${managersTable(r, data.gatewayOrigin, guard, base)}
<h2>Activity, last 30 days</h2>
<p>Last request ${when(activity.lastRequestAt)} · last probe (Test Connection, cycle start) ${when(activity.lastProbeAt)} · last successful write ${when(activity.lastWriteAt)} · ${activity.errorsLast24h} errors in 24 h · users stored: ${activity.users.active} active, ${activity.users.disabled} disabled</p>
${activityChart(activity.days, activity.asOf)}
<h2>Recent refusals</h2>
${refusalsTable(activity, r)}
<h2>Forwarding to the TeleMessage core</h2>
<p>${activity.forwarding.pending} waiting, ${activity.forwarding.failed > 0 ? html`<span class="bad">${activity.forwarding.failed} failed</span>` : "0 failed"}${
    activity.forwarding.oldestUndeliveredAt ? html` · oldest undelivered ${activity.forwarding.oldestUndeliveredAt} (${ageText(activity.forwarding.oldestUndeliveredAgeSeconds)} ago)` : ""
  } · last delivered ${when(activity.forwarding.lastDeliveredAt)}</p>
<h2>Change</h2>
<div class="grid">
${recordForm(r, guard, base)}
${statusForm(r, guard, base)}
${tokenForms(r, guard, base)}
</div>
<h2>History</h2>
${historyTable(data.history)}`;
  return page(frame, body);
}

const when = (at: string | null): Html => (at ? html`<time datetime="${at}">${at.replace("T", " ").slice(0, 19)}</time>` : html`<span class="muted">never</span>`);

function ageText(seconds: number | null): string {
  if (seconds === null) return "-";
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h`;
}

function recordTable(tenant: ListedTenant & { valid: true }, version: number): Html {
  const r = tenant.record;
  const unpublished = tenant.ledger && tenant.ledger.publishedVersion < tenant.ledger.version;
  return html`<table>
<tr><th>Tenant</th><td><code>${tenant.tenantId}</code></td></tr>
<tr><th>Account</th><td>${r.accountId}</td></tr>
<tr><th>Country codes</th><td>${r.callingCodes?.join(", ") ?? "any"}</td></tr>
<tr><th>Secret token</th><td>${describeTokenHash(r.secretTokenSha256)}</td></tr>
<tr><th>Auth mode</th><td>${r.authMode ?? "not set (Entra's token, and the secret token if issued)"}</td></tr>
<tr><th>Version</th><td>${version === 0 ? "not recorded yet (approved before the audit trail)" : version}${
    unpublished ? html` <span class="pill warn">not yet in KV: the cron retries every minute</span>` : ""
  }</td></tr>
<tr><th>Updated</th><td>${r.updatedAt ?? "-"}</td></tr>
</table>`;
}

function findingsList(findings: Finding[]): Html {
  return html`<ul>${findings.map(
    (f) => html`<li class="${f.severity === "problem" ? "bad" : f.severity === "warning" ? "warn" : "ok"}">${f.who ? html`<strong>${WHO_LABELS[f.who]}:</strong> ` : ""}${f.message}</li>`,
  )}</ul>`;
}

function managersTable(record: TenantRecord, origin: string | undefined, guard: Html, base: string): Html {
  const urls = managerTenantUrls(record, origin);
  const shared = `${origin ?? "https://<gateway host>"}/scim/v2?aadOptscim062020`;
  const add = html`<form method="post" action="${base}/managers" class="inline">${guard}<input type="hidden" name="action" value="add">
<input type="text" name="name" placeholder="New manager's name" required> ${reasonField()}<button type="submit">Add manager</button></form>`;
  if (!urls) {
    return html`<p>Any manager name is accepted (no list). Tenant URL: <input class="copy" readonly value="${shared}"></p>`;
  }
  return html`<table>
<thead><tr><th>Manager</th><th>Tenant URL (Secret Token blank; displayName = the manager's name)</th><th>Change</th></tr></thead>
<tbody>${urls.map(
    (u) => html`<tr>
<td>${u.name}${u.aliases.length ? html`<br><span class="muted">also accepts ${u.aliases.join(", ")}</span>` : ""}${u.retired ? html` <span class="pill">retired</span>` : ""}</td>
<td><input class="copy" readonly value="${u.url}" aria-label="Tenant URL of ${u.name}"></td>
<td>${
      u.retired
        ? ""
        : html`<form method="post" action="${base}/managers" class="inline">${guard}<input type="hidden" name="action" value="rename"><input type="hidden" name="name" value="${u.name}"><input type="text" name="to" placeholder="New name" aria-label="New name of ${u.name}" size="14"> <button type="submit">Rename</button></form>
<form method="post" action="${base}/managers" class="inline">${guard}<input type="hidden" name="action" value="retire"><input type="hidden" name="name" value="${u.name}"><button type="submit">Retire</button></form>`
    }</td>
</tr>`,
  )}</tbody>
</table>
<p class="muted">Shared Tenant URL, for a tenant with a single manager: <code>${shared}</code></p>
<fieldset>${add}</fieldset>`;
}

function refusalsTable(activity: TenantActivity, record: TenantRecord): Html {
  if (activity.refusals.length === 0) return html`<p class="muted">No refusals recorded.</p>`;
  return html`<table>
<thead><tr><th>When</th><th>Answer</th><th>What Entra showed</th><th>Fix</th><th>Request id</th></tr></thead>
<tbody>${activity.refusals.slice(0, 20).map(
    (r) => html`<tr><td>${r.at.replace("T", " ").slice(0, 19)}</td><td>${r.status}${r.scimType ? ` ${r.scimType}` : ""}</td><td>${r.detail}</td><td>${refusalFix(r, record)}</td><td><code>${r.requestId}</code></td></tr>`,
  )}</tbody>
</table>`;
}

function recordForm(r: TenantRecord, guard: Html, base: string): Html {
  return html`<form method="post" action="${base}/record"><fieldset><legend>Record</legend>${guard}
<label><span>TeleMessage account</span><input type="text" name="accountId" value="${r.accountId}" required></label>
<label><span>Customer name</span><input type="text" name="name" value="${r.name}" required size="30"></label>
<label><span>Country calling codes</span><input type="text" name="callingCodes" value="${r.callingCodes?.join(", ") ?? ""}" placeholder="empty: any"></label>
${reasonField()}<button type="submit">Save</button></fieldset></form>`;
}

function statusForm(r: TenantRecord, guard: Html, base: string): Html {
  return html`<form method="post" action="${base}/${r.enabled ? "disable" : "enable"}"><fieldset><legend>${r.enabled ? "Disable" : "Enable"}</legend>${guard}
<p>${r.enabled ? "Disabling answers every call with 403 until enabled again; users and record are kept." : "Enabling lets the tenant's Entra app provision again."}</p>
${reasonField()}<button type="submit">${r.enabled ? "Disable the tenant" : "Enable the tenant"}</button></fieldset></form>`;
}

function tokenForms(r: TenantRecord, guard: Html, base: string): Html {
  const issue = html`<form method="post" action="${base}/token"><fieldset><legend>Secret token</legend>${guard}
<p>${r.secretTokenSha256 ? "A secret token is issued. A new one replaces it (the old one stops working)." : "No secret token. Issue one for Entra's Secret Token field; it is shown once."}</p>
${r.secretTokenSha256 ? html`<label><span></span><input type="checkbox" name="replace" value="1" required> replace the current token</label>` : ""}
<label><span>Auth mode</span><select name="authMode"><option value="keep">keep (${r.authMode ?? "not set"})</option><option value="secret-token">secret-token: only this token</option><option value="both">both</option></select></label>
${reasonField()}<button type="submit">Issue a token</button></fieldset></form>`;
  const revoke = r.secretTokenSha256
    ? html`<form method="post" action="${base}/token/revoke"><fieldset><legend>Revoke the secret token</legend>${guard}${reasonField()}<button type="submit">Revoke</button></fieldset></form>`
    : "";
  return html`${issue}${revoke}`;
}
