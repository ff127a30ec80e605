// The doctor (issue 14 §2): a tenant's activity and allow-list record in, what is wrong out, in plain words
// and saying who must act: the customer's Entra admin, the TeleMessage account manager, or operations.
// Pure, the clock given: `npm run tenants -- doctor` and the console's tenant page show the same findings.
//
// What it can see is what the gateway records for a tenant it can name: answers to requests whose token
// was verified (a 401 names no tenant anyone could trust, so 401s are never recorded; docs/entra-setup.md,
// "Troubleshooting", covers them from Entra's side).
import { DEFAULT_MAX_USERS, maxUsersOf, type TenantRecord } from "../tenants/record.ts";
import { closestName } from "../tenants/closest-name.ts";
import { activeManagers, managersOf } from "../tenants/managers.ts";
import type { Refusal, TenantActivity } from "./read-model.ts";
import { DAY_MS, HOUR_MS, SUCCESS } from "./vocabulary.ts";

export type WhoActs = "entra-admin" | "account-manager" | "operator";

export type FindingCode =
  | "not-listed"
  | "disabled"
  | "never-seen"
  | "silent"
  | "probe-only"
  | "unknown-manager"
  | "refusals"
  | "quota-reached"
  | "rate-limited"
  | "server-errors"
  | "forwarding-failed"
  | "forwarding-behind"
  | "healthy";

export type Finding = {
  code: FindingCode;
  /** "problem": provisioning is blocked or losing changes; "warning": worth a look; "ok": nothing found. */
  severity: "problem" | "warning" | "ok";
  /** Who must act; null when no one needs to. */
  who: WhoActs | null;
  message: string;
};

/** Entra runs a cycle about every 40 minutes, each starting with a probe: three hours is several missed. */
export const SILENT_AFTER_MS = 3 * HOUR_MS;
/** An undelivered change older than this means the core is not taking them. */
export const FORWARDING_BEHIND_MS = 15 * 60 * 1000;

/** Who acts, as the CLI and the console name them. */
export const WHO_LABELS: Record<WhoActs, string> = { "entra-admin": "Entra admin", "account-manager": "account manager", operator: "operations" };

export function doctorFindings(activity: TenantActivity, record: TenantRecord | undefined, now: Date): Finding[] {
  const findings: Finding[] = [];
  const at = now.getTime();
  const id = activity.tenantId;
  const recent = activity.refusals.filter((r) => Date.parse(r.at) > at - DAY_MS);

  if (!record) {
    findings.push(problem("not-listed", "account-manager", `Not on the allow-list: every call answers 403 ("not approved"). Approve it with \`npm run tenants -- add ${id} --account <id> --name <customer> --manager <name>\` if it should provision.`));
  } else if (!record.enabled) {
    const refused = recent.filter((r) => r.status === 403).length;
    findings.push(
      refused > 0
        ? problem("disabled", "account-manager", `403: tenant disabled: ${count(refused, "request")} refused in the last 24 h. Enable it (\`npm run tenants -- enable ${id}\`) if the customer should provision, or ask its Entra admin to turn provisioning off.`)
        : warning("disabled", "account-manager", `Disabled: any call would answer 403. Enable it with \`npm run tenants -- enable ${id}\` when the customer should provision again.`),
    );
  }

  const users = activity.users.active + activity.users.disabled;
  if (activity.lastRequestAt === null) {
    findings.push(
      problem(
        "never-seen",
        "entra-admin",
        `No request recorded in the last 30 days${users ? ` (${count(users, "user")} stored from before)` : ""}: has the Entra admin entered the Tenant URL and turned provisioning on (Provisioning Status: On)?`,
      ),
    );
  } else if (at - Date.parse(activity.lastRequestAt) > SILENT_AFTER_MS) {
    findings.push(
      problem(
        "silent",
        "entra-admin",
        `No request in ${describeDuration(at - Date.parse(activity.lastRequestAt))}: is provisioning on in Entra? (A cycle runs about every 40 minutes; a job in quarantine retries less often, and the app's Provisioning page says why.)`,
      ),
    );
  }
  const onlyProbes = activity.lastProbeAt !== null && activity.days.every((d) => d.kind === "probe");
  if (onlyProbes && users === 0) {
    findings.push(
      problem("probe-only", "entra-admin", "Test Connection seen but no user: scope is 'assigned users' with nobody assigned? (Assign users or groups to the app, or sync all users; then wait for the next cycle.)"),
    );
  }

  findings.push(...refusalFindings(activity, recent, record));

  const { forwarding } = activity;
  if (forwarding.failed > 0) {
    findings.push(
      problem(
        "forwarding-failed",
        "operator",
        `${count(forwarding.failed, "change")} could not be forwarded to the TeleMessage core (failed): \`npm run outbox -- failed --tenant ${id}\` shows why; after the fix, \`npm run outbox -- redrive --tenant ${id}\`.`,
      ),
    );
  }
  if (forwarding.pending > 0 && forwarding.oldestUndeliveredAgeSeconds !== null && forwarding.oldestUndeliveredAgeSeconds * 1000 > FORWARDING_BEHIND_MS) {
    findings.push(
      warning(
        "forwarding-behind",
        "operator",
        `${count(forwarding.pending, "change")} waiting to reach the TeleMessage core, the oldest for ${describeDuration(forwarding.oldestUndeliveredAgeSeconds * 1000)}: is the core reachable? (\`npm run outbox -- status\`)`,
      ),
    );
  }

  if (findings.length === 0) {
    const last = activity.lastRequestAt ? `last request ${describeDuration(at - Date.parse(activity.lastRequestAt))} ago` : "no request yet";
    findings.push({
      code: "healthy",
      severity: "ok",
      who: null,
      message: `No problem found: ${last}, ${count(users, "user")} stored (${activity.users.active} active), nothing waiting for the core.`,
    });
  }
  return findings;
}

/** The last 24 h of refusals, grouped by cause, biggest first; 403s are the "disabled" finding's. */
function refusalFindings(activity: TenantActivity, recent: Refusal[], record: TenantRecord | undefined): Finding[] {
  const groups = new Map<string, Refusal[]>();
  for (const refusal of recent) {
    if (refusal.status === 403) continue;
    const key =
      refusal.reason === "unknown_manager" || refusal.reason === "wrong_manager_for_app"
        ? `${refusal.reason}|${refusal.sent ?? ""}`
        : refusal.status === 429 || refusal.status >= 500
          ? String(refusal.status)
          : `${refusal.status}|${refusal.scimType ?? ""}|${refusal.reason ?? ""}|${refusal.detail}`;
    groups.set(key, [...(groups.get(key) ?? []), refusal]);
  }
  // Every answer but 2xx and 403 in the last 24 h, from the counts (the refusals kept are the newest only).
  const errors = activity.errorsLast24h - recent.filter((r) => r.status === 403).length;
  const considered = recent.filter((r) => r.status !== 403).length;
  const findings: Finding[] = [];
  for (const group of [...groups.values()].sort((a, b) => b.length - a.length)) {
    const [first] = group as [Refusal];
    const share =
      group.length === considered && considered >= errors
        ? `${count(group.length, "refusal")} in the last 24 h, all`
        : group.length === considered
          ? `${count(Math.max(errors, considered), "refusal")} in the last 24 h; the last ${group.length} all`
          : `${group.length} of the last ${considered} refusals:`;
    findings.push(refusalFinding(first, share, record, activity.tenantId));
  }
  return findings;
}

function refusalFinding(first: Refusal, share: string, record: TenantRecord | undefined, tenantId: string): Finding {
  const lastId = `(last: request id ${first.requestId})`;
  if (first.reason === "unknown_manager") {
    const registered = activeManagers(managersOf(record ?? {}) ?? []).map((m) => m.name);
    const sent = first.sent ?? "";
    const near = closestName(sent, registered);
    return problem(
      "unknown-manager",
      "entra-admin",
      near
        ? `${share} unknown manager '${sent}': the app's displayName constant is misspelled; registered: ${near}`
        : `${share} unknown manager '${sent}': the app's displayName constant must be a registered manager (${registered.join(", ") || "none"}); if '${sent}' is a new TeleMessage manager, the account manager adds it: \`npm run tenants -- update ${tenantId} --add-manager "${sent}"\``,
    );
  }
  if (first.reason === "wrong_manager_for_app") {
    return problem("unknown-manager", "entra-admin", `${share} displayName '${first.sent ?? ""}' sent through another manager's Tenant URL: each manager's app must send that manager's name (\`npm run tenants -- show ${tenantId}\` lists the URLs). ${lastId}`);
  }
  if (first.reason === "quota_reached") {
    return problem("quota-reached", "account-manager", `${share} creates refused: the tenant has the most users its record allows (maxUsers ${(record ? maxUsersOf(record) : DEFAULT_MAX_USERS).toLocaleString("en-US")}). Raise maxUsers if the customer grew, or ask the Entra admin to narrow the app's scope. ${lastId}`);
  }
  if (first.status === 429) {
    return warning("rate-limited", "operator", `${share} refused by the rate limit (429): Entra backs off and retries by itself; if it keeps happening, this tenant's job needs a higher limit (TENANT_RATE_LIMIT_LEASES in wrangler.toml). ${lastId}`);
  }
  if (first.status >= 500) {
    return problem("server-errors", "operator", `${share} answered ${first.status} by the gateway (our side; Entra retries): look the request id up in Workers Logs. ${lastId}`);
  }
  const what = `${first.status}${first.scimType ? ` ${first.scimType}` : ""}`;
  // A 404 is mostly Entra asking for a user deleted here before: worth a look, rarely a blocker.
  return (first.status === 404 ? warning : problem)("refusals", "entra-admin", `${share} ${what}: "${first.detail}" ${lastId}`);
}

const problem = (code: FindingCode, who: WhoActs, message: string): Finding => ({ code, severity: "problem", who, message });
const warning = (code: FindingCode, who: WhoActs, message: string): Finding => ({ code, severity: "warning", who, message });

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** "3 days", "5 hours", "12 minutes": the largest unit that fits, rounded down. */
export function describeDuration(ms: number): string {
  if (ms >= 2 * DAY_MS) return count(Math.floor(ms / DAY_MS), "day");
  if (ms >= 2 * HOUR_MS) return count(Math.floor(ms / HOUR_MS), "hour");
  return count(Math.max(0, Math.floor(ms / 60_000)), "minute");
}

/** Answers other than 2xx among a tenant's counts of one UTC day. */
export const errorsOnDay = (activity: TenantActivity, day: string): number =>
  activity.days.filter((d) => d.day === day && d.outcome !== SUCCESS).reduce((n, d) => n + d.count, 0);
