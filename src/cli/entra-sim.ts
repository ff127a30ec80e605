// npm run entra-sim -- [--base-url <url>] [--tenant <GUID>] [--users <n>] ...: plays Entra's provisioning
// service against a gateway (src/sim/run-simulation.ts) and exits non-zero on any unexpected status or
// mismatch. Progress goes to stderr; the summary (or --json) to stdout.
import { parseCommandLine, usageError } from "./command-line.ts";
import devSigningKey from "./dev-signing-key.json" with { type: "json" };
import { DEV_TENANT_ID, DEV_TENANT_RECORD, managerNames } from "./dev-tenant.ts";
import { signDevToken } from "./dev-token.ts";
import { SHAPES } from "../sim/entra-shapes.ts";
import { formatSummary } from "../sim/report.ts";
import { runSimulation, type ShapeOption } from "../sim/run-simulation.ts";
import { GUID_PATTERN } from "../tenants/record.ts";

const DEFAULT_BASE_URL = "http://localhost:8787/scim/v2";
const DEFAULT_MANAGERS = managerNames(DEV_TENANT_RECORD);

const USAGE = `usage: npm run entra-sim -- [--base-url <url>] [--tenant <GUID>] [--users <n>] [--cycles <k>]
         [--concurrency <c>] [--shape legacy|aadOptscim062020|mixed] [--manager <name> ...] [--token <t>]
         [--core-url <url>] [--core-wait <seconds>] [--seed <n>] [--change-rate <0..1>] [--json]

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
const tenantId = (typeof values.tenant === "string" ? values.tenant : DEV_TENANT_ID).trim().toLowerCase();
if (!GUID_PATTERN.test(tenantId)) usage("--tenant must be an Entra tenant id (a GUID)");
const shape = (typeof values.shape === "string" ? values.shape : "aadOptscim062020") as ShapeOption;
if (![...SHAPES, "mixed"].includes(shape)) usage("--shape is legacy, aadOptscim062020 or mixed");
const managers = Array.isArray(values.manager) && values.manager.length ? values.manager.map(String) : DEFAULT_MANAGERS;
const changeRate = values["change-rate"] === undefined ? 0.3 : Number(values["change-rate"]);
if (!(changeRate >= 0 && changeRate <= 1)) usage("--change-rate is a number from 0 to 1");
const seed = wholeNumber("seed", Math.floor(Math.random() * 2 ** 31), 0);
const coreUrl = typeof values["core-url"] === "string" ? values["core-url"] : undefined;

const token =
  typeof values.token === "string" ? values.token : await signDevToken({ jwk: devSigningKey, tenantId, expiresInSeconds: 4 * 3600 });

const summary = await runSimulation(
  {
    baseUrl,
    tenantId,
    token,
    users: wholeNumber("users", 20, 1),
    cycles: wholeNumber("cycles", 3, 1),
    concurrency: wholeNumber("concurrency", 4, 1),
    shape,
    managers,
    seed,
    changeRate,
    ...(coreUrl ? { coreUrl, coreWaitMs: wholeNumber("core-wait", 30, 0) * 1000 } : {}),
  },
  {
    fetch: (input, init) => fetch(input, init),
    now: () => performance.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    log: (line) => process.stderr.write(`${line}\n`),
  },
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
process.exitCode = summary.ok ? 0 : 1;
