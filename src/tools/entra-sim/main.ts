// npm run entra-sim -- [--base-url <url>] [--tenant <GUID>] [--users <n>] ...: plays Entra's provisioning
// service against a gateway (src/tools/entra-sim/run-simulation.ts) and exits non-zero on any unexpected status or
// mismatch. Progress goes to stderr; the summary (or --json) to stdout.
import { parseCommandLine, usageError } from "../command-line.ts";
import devSigningKey from "../dev/dev-signing-key.json" with { type: "json" };
import { DEV_APPS_TENANT_ID, DEV_APPS_TENANT_RECORD, DEV_TENANT_ID, DEV_TENANT_RECORD, managerNames } from "../dev/dev-tenant.ts";
import { signDevToken } from "../dev/dev-token.ts";
import { SHAPES } from "./entra-shapes.ts";
import { formatSummary } from "./report.ts";
import { runAppsSimulation, type SimApp } from "./run-apps-simulation.ts";
import { runSimulation, type ShapeOption } from "./run-simulation.ts";
import { managerKeyFor, managersOf } from "../../tenants/managers.ts";
import { GUID_PATTERN } from "../../tenants/record.ts";

const DEFAULT_BASE_URL = "http://localhost:8787/scim/v2";
const DEFAULT_MANAGERS = managerNames(DEV_TENANT_RECORD);

const USAGE = `usage: npm run entra-sim -- [--base-url <url>] [--tenant <GUID>] [--users <n>] [--cycles <k>]
         [--concurrency <c>] [--shape legacy|aadOptscim062020|mixed] [--manager <name> ...] [--token <t>]
         [--apps <n> [--shared-url]] [--core-url <url>] [--core-wait <seconds>] [--seed <n>]
         [--change-rate <0..1>] [--json]

Plays what Entra ID's provisioning service does: Test Connection, an initial cycle (match each user by
userName, then create it or PATCH the differences), incremental cycles with realistic changes (renames, new
e-mails, manager moves, disable with "False", re-enable, delete, re-create), then reads every user back and
checks the gateway holds exactly what was intended. Exits 1 on any unexpected status or mismatch.

  --base-url     the SCIM base URL (Entra's Tenant URL), default ${DEFAULT_BASE_URL}
  --tenant       the Entra tenant id, default the development tenant ${DEV_TENANT_ID}
  --users        users in scope (default 20)
  --cycles       provisioning cycles, the first one initial (default 3)
  --concurrency  requests in flight at once (default 4)
  --shape        Entra's request shape: legacy ("True"/"False", "Replace"), aadOptscim062020 (booleans,
                 lower-case ops; the default), or mixed (half the users each)
  --manager      a company manager of the tenant, repeatable; default "${DEFAULT_MANAGERS.join('", "')}".
                 With two or more, users also move between managers.
  --apps         one Entra app per manager, as the setup guide has it: n provisioning jobs at once, each on
                 its manager's Tenant URL (<base-url>/managers/<key>) with its own displayName constant,
                 moving users between them with the old app's disable before, after and at the same
                 moment as the new app's update; the end state must hold each user under the manager
                 whose app has it in scope, active exactly when in scope. Default tenant: the development
                 tenant with one app per manager, ${DEV_APPS_TENANT_ID} (npm start), and its
                 first n managers; with --manager, the keys are those the tenants CLI derives from the names.
  --shared-url   with --apps: every app on the shared <base-url> instead (the race the per-manager URLs
                 remove; expect the run to fail)
  --token        the bearer token; default a token for --tenant signed with the development key, which
                 only a local gateway trusts. For a deployed one: \`npm run tenants -- issue-token\`.
  --core-url     the core emulator (e.g. http://localhost:8788): also check that it holds what the gateway holds
  --core-wait    seconds to let forwarding catch up before the core counts as different (default 30)
  --seed         repeat a run exactly (default: random, printed in the summary)
  --change-rate  share of users changed per incremental cycle (default 0.3)
  --json         the summary as JSON`;

const usage = (message: string): never => usageError("entra-sim", USAGE, message);

const values: Record<string, string | boolean | string[] | undefined> = parseCommandLine("entra-sim", USAGE, {
  "base-url": { type: "string" },
  tenant: { type: "string" },
  users: { type: "string" },
  cycles: { type: "string" },
  concurrency: { type: "string" },
  shape: { type: "string" },
  manager: { type: "string", multiple: true },
  token: { type: "string" },
  "core-url": { type: "string" },
  "core-wait": { type: "string" },
  seed: { type: "string" },
  "change-rate": { type: "string" },
  apps: { type: "string" },
  "shared-url": { type: "boolean" },
  json: { type: "boolean" },
});

function wholeNumber(name: string, fallback: number, min: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== "string" || !/^\d+$/.test(raw) || Number(raw) < min) usage(`--${name} must be a whole number of at least ${min}`);
  return Number(raw);
}

const baseUrl = typeof values["base-url"] === "string" ? values["base-url"] : DEFAULT_BASE_URL;
if (!/^https?:\/\//.test(baseUrl)) usage("--base-url must be an http(s) URL such as http://localhost:8787/scim/v2");
const appCount = values.apps === undefined ? undefined : wholeNumber("apps", 2, 1);
if (values["shared-url"] && appCount === undefined) usage("--shared-url goes with --apps");
const defaultTenant = appCount === undefined ? DEV_TENANT_ID : DEV_APPS_TENANT_ID;
const tenantId = (typeof values.tenant === "string" ? values.tenant : defaultTenant).trim().toLowerCase();
if (!GUID_PATTERN.test(tenantId)) usage("--tenant must be an Entra tenant id (a GUID)");
const shape = (typeof values.shape === "string" ? values.shape : "aadOptscim062020") as ShapeOption;
if (![...SHAPES, "mixed"].includes(shape)) usage("--shape is legacy, aadOptscim062020 or mixed");
const givenManagers = Array.isArray(values.manager) && values.manager.length ? values.manager.map(String) : undefined;
const managers = givenManagers ?? DEFAULT_MANAGERS;

/** The apps of --apps n: the development tenant's managers with their keys, or --manager's with derived keys. */
function appsOf(count: number): SimApp[] {
  const known = givenManagers ? givenManagers.map((manager) => ({ manager, key: managerKeyFor(manager) })) : (managersOf(DEV_APPS_TENANT_RECORD) ?? []).map((m) => ({ manager: m.name, key: m.key }));
  if (known.length < count) usage(`--apps ${count} needs ${count} managers: give them with --manager (the development tenant has ${managerNames(DEV_APPS_TENANT_RECORD).length})`);
  return known.slice(0, count);
}
const changeRate = values["change-rate"] === undefined ? 0.3 : Number(values["change-rate"]);
if (!(changeRate >= 0 && changeRate <= 1)) usage("--change-rate is a number from 0 to 1");
const seed = wholeNumber("seed", Math.floor(Math.random() * 2 ** 31), 0);
const coreUrl = typeof values["core-url"] === "string" ? values["core-url"] : undefined;

const token =
  typeof values.token === "string" ? values.token : await signDevToken({ jwk: devSigningKey, tenantId, expiresInSeconds: 4 * 3600 });

const common = {
  baseUrl,
  tenantId,
  token,
  users: wholeNumber("users", 20, 1),
  cycles: wholeNumber("cycles", 3, 1),
  concurrency: wholeNumber("concurrency", 4, 1),
  shape,
  seed,
  changeRate,
  ...(coreUrl ? { coreUrl, coreWaitMs: wholeNumber("core-wait", 30, 0) * 1000 } : {}),
};
const simDeps = {
  fetch: (input: string, init?: RequestInit) => fetch(input, init),
  now: () => performance.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  log: (line: string) => void process.stderr.write(`${line}\n`),
};
const summary = await (
  appCount === undefined
    ? runSimulation({ ...common, managers }, simDeps)
    : runAppsSimulation({ ...common, apps: appsOf(appCount), ...(values["shared-url"] ? { sharedUrl: true } : {}) }, simDeps)
).catch((error: unknown) => {
  // A gateway that is not there at all: say so plainly rather than with a stack trace.
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
  process.stderr.write(`entra-sim: cannot reach ${baseUrl}: ${error instanceof Error ? error.message : String(error)}${cause}\n`);
  process.exit(1);
});

process.stdout.write(values.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
if (summary.unexpected.some((u) => u.status === 401) && values.token === undefined) {
  process.stderr.write(
    "entra-sim: 401 with the development token: a deployed gateway does not trust it. Pass --token with a secret token (npm run tenants -- issue-token <tenant> --remote --env <env>).\n",
  );
}
if (summary.unexpected.some((u) => u.status === 403)) {
  process.stderr.write(`entra-sim: 403: tenant ${tenantId} is not on the gateway's allow-list, or is disabled (npm run tenants -- show ${tenantId}).\n`);
}
if (appCount !== undefined && !values["shared-url"] && summary.unexpected.some((u) => u.kind === "probe" && u.status === 404)) {
  process.stderr.write(`entra-sim: 404 on a manager's Tenant URL: tenant ${tenantId} has no manager with that key (npm run tenants -- show ${tenantId}).\n`);
}
process.exitCode = summary.ok ? 0 : 1;
