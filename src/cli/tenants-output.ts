// How `npm run tenants` shows its results to a person. Pure: strings in, strings out; --json output is the
// command results themselves (see tenants-cli.ts).
import { describeTokenHash, type ChangeResult, type ListedTenant, type TenantAction } from "../tenants/commands.ts";
import type { TenantRecord } from "../tenants/record.ts";
import type { WranglerTarget } from "./wrangler-kv-store.ts";

export const describeTarget = (target: WranglerTarget): string =>
  target.remote ? `the Cloudflare allow-list of environment "${target.env}"` : "the local allow-list";

const managersOf = (record: TenantRecord): string => record.managers?.join(", ") ?? "(any displayName)";

export function renderList(tenants: ListedTenant[], target: WranglerTarget): string {
  if (tenants.length === 0) return `No tenants on ${describeTarget(target)}.\n`;
  const rows = tenants.map((t) =>
    t.valid
      ? [t.tenantId, t.record.accountId, t.record.enabled ? "yes" : "no", t.record.secretTokenSha256 ? "yes" : "no", managersOf(t.record), t.record.name]
      : [t.tenantId, "INVALID", "-", "-", t.problem, ""],
  );
  const table = formatTable([["TENANT", "ACCOUNT", "ENABLED", "TOKEN", "MANAGERS", "NAME"], ...rows]);
  const count = `${tenants.length} ${tenants.length === 1 ? "tenant" : "tenants"} on ${describeTarget(target)}.`;
  return `${table}\n${count}\n`;
}

export function renderShow(tenant: ListedTenant, target: WranglerTarget): string {
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
    ["Secret token", describeTokenHash(r.secretTokenSha256)],
    ["Created", r.createdAt ?? "-"],
    ["Updated", r.updatedAt ?? "-"],
  ])}\n(on ${describeTarget(target)})\n`;
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

export function renderChange(result: ChangeResult, target: WranglerTarget, propagationNote: string): string {
  const headline = HEADLINES[result.action].replace("{id}", result.tenantId).replace("{where}", describeTarget(target));
  const lines = [headline];
  const rows = result.changes.map((c) => [`  ${c.field}`, formatValue(c.from), "->", formatValue(c.to)]);
  if (rows.length) lines.push(formatTable(rows));
  if (result.token) {
    lines.push(
      "",
      "Secret token (shown only now; TeleMessage keeps only its SHA-256). Give it to the customer's Entra admin",
      "for the app's Provisioning > Admin Credentials > Secret Token field, over a channel fit for a password:",
      "",
      `  ${result.token}`,
    );
  }
  if (result.action !== "unchanged") lines.push("", propagationNote);
  return `${lines.join("\n")}\n`;
}

function formatValue(value: unknown): string {
  if (value === undefined) return "(none)";
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}

function formatTable(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ")).join("\n");
}
