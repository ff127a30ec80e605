// How `npm run tenants` shows its results to a person. Pure: strings in, strings out; --json output is the
// command results themselves (see cli.ts).
import { describeTokenHash, type ChangeResult, type ListedTenant, type ManagerUsersReport, type TenantAction } from "../../tenants/commands.ts";
import { toManagers, type ManagerList } from "../../tenants/managers.ts";
import type { TenantRecord } from "../../tenants/record.ts";
import { shardOf } from "../../tenants/shard.ts";
import type { TenantSummary } from "../../activity/read-model.ts";
import { describeDuration } from "../../activity/doctor.ts";
import type { WranglerTarget } from "../wrangler/kv-store.ts";
import { percent } from "../capacity/model.ts";
import type { ShardChoice } from "./placement.ts";

export const describeTarget = (target: WranglerTarget): string =>
  target.remote ? `the Cloudflare allow-list of environment "${target.env}"` : "the local allow-list";

/** "Ann Smith (was Ann Manager), Bob Boss; retired: Cy Chief", or "(any displayName)". */
export function describeManagers(list: ManagerList | undefined): string {
  if (!list) return "(any displayName)";
  const managers = toManagers(list);
  const active = managers.filter((m) => !m.retired).map((m) => (m.aliases.length ? `${m.name} (was ${m.aliases.join(", ")})` : m.name));
  const retired = managers.filter((m) => m.retired).map((m) => m.name);
  return `${active.join(", ")}${retired.length ? `; retired: ${retired.join(", ")}` : ""}`;
}

const managersOf = (record: TenantRecord): string => describeManagers(record.managers);

export { managerTenantUrls, type TenantUrl } from "../../tenants/tenant-urls.ts";
import { managerTenantUrls } from "../../tenants/tenant-urls.ts";

/** What a tenant's auth mode lets it call with (docs/security.md, "Auth modes"). */
export function describeAuthMode(record: TenantRecord): string {
  switch (record.authMode) {
    case "secret-token":
      return "secret-token (only the secret token; Entra's signed tokens get 401)";
    case "entra-token":
      return "entra-token (only Entra's signed token; a secret token gets 401)";
    case "both":
      return "both (Entra's signed token, and the secret token if issued)";
    default:
      return "not set (Entra's signed token, and the secret token if issued)";
  }
}

/** Asked by issue-token when run by a person without --auth. */
export const SWITCH_TO_SECRET_TOKEN_QUESTION = (tenantId: string) =>
  `Tenant ${tenantId} also accepts Entra's own signed tokens, which Entra sends to every non-gallery SCIM app
of that tenant, not only to ours (docs/security.md).
Accept only the new secret token from now on (auth mode secret-token)? Its Entra app then gets 401 until the
admin has pasted the token into Secret Token; answer no to switch later with
\`update ${tenantId} --auth secret-token\`. [y/N] `;

/**
 * After issue-token, unless the tenant now takes only its secret token: how to get there, or (auth mode
 * entra-token) why the new token does not work yet.
 */
export function authModeAdvice(result: ChangeResult): string | undefined {
  if (result.action !== "token-issued" || !result.record || result.record.authMode === "secret-token") return undefined;
  const switchTo = `npm run tenants -- update ${result.tenantId} --auth secret-token`;
  if (result.record.authMode === "entra-token") {
    return `Auth mode is entra-token: this secret token gets 401 until you run \`${switchTo}\` (only the secret token) or \`npm run tenants -- update ${result.tenantId} --auth both\`.`;
  }
  return `Entra's own signed tokens are still accepted for this tenant. Once the admin has pasted the token and Test Connection succeeds, accept only the secret token with \`${switchTo}\` (docs/security.md, "Auth modes").`;
}

/** A listed tenant with its shard (tenants/shard.ts) and, when the shards were asked, its size there. */
export type SizedTenant = ListedTenant & { shard?: string; size?: { users: number; events: number } };

/**
 * The list's activity columns (issue 14 §2): each tenant's "last seen" and "errors in 24 h", from its D1
 * (summaries undefined: they could not be read, shown "?"); absent when the caller has no D1 to ask.
 */
export type ListActivity = { summaries: Map<string, TenantSummary> | undefined; now: Date };

/** The list's "last seen" cell: "5 minutes ago", "-" for none in 30 days, "?" when it could not be read. */
export const lastSeenCell = (at: string | null | undefined, now: Date): string =>
  at === undefined ? "?" : at === null ? "-" : `${describeDuration(now.getTime() - Date.parse(at))} ago`;

export function renderList(tenants: SizedTenant[], target: WranglerTarget, activity?: ListActivity): string {
  if (tenants.length === 0) return `No tenants on ${describeTarget(target)}.\n`;
  const activityCells = (tenantId: string): string[] => {
    if (!activity) return [];
    if (!activity.summaries) return ["?", "?"];
    const summary = activity.summaries.get(tenantId);
    return [lastSeenCell(summary ? summary.lastRequestAt : null, activity.now), String(summary?.errorsLast24h ?? 0)];
  };
  const sized = tenants.some((t) => t.size);
  const sizeCells = (t: SizedTenant) => (sized ? [t.size ? String(t.size.users) : "-", t.size ? String(t.size.events) : "-"] : []);
  const rows = tenants.map((t) =>
    t.valid
      ? [t.tenantId, t.record.accountId, t.record.enabled ? "yes" : "no", ...activityCells(t.tenantId), tokenCell(t.record), t.shard ?? shardOf(t.record), ...sizeCells(t), managersOf(t.record), t.record.name]
      : [t.tenantId, "INVALID", "-", ...activityCells(t.tenantId), "-", "-", ...sizeCells(t), t.problem, ""],
  );
  const table = formatTable([
    ["TENANT", "ACCOUNT", "ENABLED", ...(activity ? ["LAST SEEN", "ERRORS 24H"] : []), "TOKEN", "SHARD", ...(sized ? ["USERS", "EVENTS"] : []), "MANAGERS", "NAME"],
    ...rows,
  ]);
  const count = `${tenants.length} ${tenants.length === 1 ? "tenant" : "tenants"} on ${describeTarget(target)}.`;
  return `${table}\n${count}\n`;
}

/** Where `add` put a new tenant by the capacity rule, and how full each shard was (docs/capacity.md). */
export function renderPlacement(choice: ShardChoice): string {
  const fills = choice.placement?.fills.map((f) => `${f.shard} ${percent(f.fill)}`).join(", ");
  return `Placed on shard ${choice.shard ?? "DB"} by the capacity rule (the most headroom; fill of each shard's target: ${fills}).`;
}

const tokenCell = (record: TenantRecord): string =>
  `${record.secretTokenSha256 ? "yes" : "no"}${record.authMode ? ` (${record.authMode})` : ""}`;

export function renderShow(tenant: ListedTenant, target: WranglerTarget, host?: string): string {
  if (!tenant.valid) {
    return `Tenant ${tenant.tenantId} on ${describeTarget(target)} has a record the gateway cannot read, so it is refused:\n  ${tenant.problem}\nStored value: ${tenant.raw}\nReplace it with \`add --force\`.\n`;
  }
  const r = tenant.record;
  return `${formatTable([
    ["Tenant", tenant.tenantId],
    ["Account", r.accountId],
    ["Name", r.name],
    ["Enabled", r.enabled ? "yes" : "no (every call answers 403)"],
    ["Managers", managersOf(r)],
    ["Country codes", r.callingCodes?.join(", ") ?? "(any)"],
    ["Secret token", describeTokenHash(r.secretTokenSha256)],
    ["Auth mode", describeAuthMode(r)],
    ["Shard", `${shardOf(r)}${r.shard ? "" : " (the record names none)"}`],
    ["Created", r.createdAt ?? "-"],
    ["Updated", r.updatedAt ?? "-"],
    ...(tenant.unknownFields ? [["Other fields", `${tenant.unknownFields.join(", ")} (written by a newer version of this tool; the gateway ignores them)`]] : []),
  ])}\n${renderTenantUrls(r, host)}(on ${describeTarget(target)})\n`;
}

/** The Tenant URL of each manager's Entra app, or the shared one; with how to get the host right. */
function renderTenantUrls(record: TenantRecord, host: string | undefined): string {
  const shared = `${host ?? "https://<gateway host>"}/scim/v2?aadOptscim062020`;
  const urls = managerTenantUrls(record, host);
  const lines = urls
    ? [
        "Tenant URL of each manager's Entra app (Secret Token blank; map displayName to the manager's name as a constant):",
        ...formatTable(
          urls.map((u) => [
            `  ${u.name}`,
            u.retired ? `${u.url}  (retired: lookups, disables and deletes only)` : `${u.url}${u.aliases.length ? `  (also accepts ${u.aliases.map((a) => `"${a}"`).join(", ")})` : ""}`,
          ]),
        ).split("\n"),
        `Shared Tenant URL, for a tenant with a single manager: ${shared}`,
      ]
    : [`Tenant URL: ${shared}`];
  if (!host) lines.push("(pass --host https://<gateway host> to print the real host)");
  return `${lines.join("\n")}\n`;
}

const HEADLINES: Record<TenantAction, string> = {
  added: "Added tenant {id} to {where}.",
  replaced: "Replaced the record of tenant {id} on {where}.",
  updated: "Updated tenant {id} on {where}.",
  disabled: "Disabled tenant {id} on {where}: its calls now answer 403.",
  enabled: "Enabled tenant {id} on {where}.",
  removed: "Removed tenant {id} from {where}: its calls now answer 403.",
  "token-issued": "Issued a secret token for tenant {id} on {where}.",
  "token-revoked": "Revoked the secret token of tenant {id} on {where}.",
  unchanged: "Nothing to change: tenant {id} on {where} is already like that.",
};

const PREVIEWS: Record<TenantAction, string> = {
  added: "Add tenant {id} to {where}.",
  replaced: "Replace the whole record of tenant {id} on {where} (add --force).",
  updated: "Update tenant {id} on {where}.",
  disabled: "Disable tenant {id} on {where}: its calls will answer 403.",
  enabled: "Enable tenant {id} on {where}.",
  removed: "Remove tenant {id} from {where}: its calls will answer 403.",
  "token-issued": "Issue a new secret token for tenant {id} on {where} (any previous one stops working).",
  "token-revoked": "Revoke the secret token of tenant {id} on {where}.",
  unchanged: "Nothing to change for tenant {id} on {where}.",
};

/** What a write is about to do (the production confirmation, issue 14 §5): the target and each field's change. */
export function renderPreview(result: ChangeResult, target: WranglerTarget): string {
  const lines = [PREVIEWS[result.action].replace("{id}", result.tenantId).replace("{where}", describeTarget(target))];
  const rows = result.changes.map((c) => [`  ${c.field}`, formatValue(c.field, c.from), "->", formatValue(c.field, c.to)]);
  if (rows.length) lines.push(formatTable(rows));
  return `${lines.join("\n")}\n`;
}

export function renderChange(result: ChangeResult, target: WranglerTarget, propagationNote: string): string {
  const headline = HEADLINES[result.action].replace("{id}", result.tenantId).replace("{where}", describeTarget(target));
  const lines = [headline];
  const rows = result.changes.map((c) => [`  ${c.field}`, formatValue(c.field, c.from), "->", formatValue(c.field, c.to)]);
  if (rows.length) lines.push(formatTable(rows));
  for (const report of result.managerUsers ?? []) lines.push(...describeManagerUsers(report));
  if (result.token) {
    lines.push(
      "",
      "Secret token (shown only now; TeleMessage keeps only its SHA-256). Give it to the customer's Entra admin",
      "for the app's Provisioning > Admin Credentials > Secret Token field, over a channel fit for a password:",
      "",
      `  ${result.token}`,
    );
  }
  const advice = authModeAdvice(result);
  if (advice) lines.push("", advice);
  if (result.version !== undefined) lines.push("", `Recorded as version ${result.version} of the tenant's history (\`npm run tenants -- history ${result.tenantId}\`).`);
  if (result.publish && !result.publish.ok) {
    lines.push(
      "",
      `NOT YET PUBLISHED: the change is recorded, but putting it into KV failed (${result.publish.error}), so the gateway`,
      "still answers with the previous record. The gateway's cron retries every minute; the history shows when it lands.",
    );
  } else if (result.action !== "unchanged") {
    lines.push("", propagationNote);
  }
  return `${lines.join("\n")}\n`;
}

/** What became of the users stored under a removed or renamed manager, e.g. 12 users are stored under "Ann Manager". */
function describeManagerUsers(report: ManagerUsersReport): string[] {
  const [name = "", ...former] = report.names;
  const under = `${report.users === 1 ? "1 user is" : `${report.users} users are`} stored under "${name}"${former.length ? " (or a former name of it)" : ""}`;
  if (report.kind === "retired") {
    return [
      `${under}.${report.users ? " They stay there: the retired manager's Tenant URL still looks them up, disables and deletes them, but cannot create or claim users." : ""}`,
    ];
  }
  const lines = [`${under}; moved ${report.moved} to "${report.to}", one change event each (the outbox cron forwards them to the core within a minute).`];
  if (report.remaining) lines.push(`${report.remaining} still under "${name}" (changed by Entra meanwhile): run the same command again.`);
  lines.push(`"${name}" stays an alias of "${report.to}" (accepted in displayName, stored as "${report.to}") until \`update --remove-alias "${name}"\`.`);
  return lines;
}

function formatValue(field: string, value: unknown): string {
  if (value === undefined) return "(none)";
  if (field === "managers") return describeManagers(value as ManagerList);
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}

export function formatTable(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ")).join("\n");
}
