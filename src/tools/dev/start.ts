// `npm start`: the gateway on local D1/KV/Queue at http://localhost:8787/scim/v2. Applies the migrations to
// both local shards (DB and DB_2, as wrangler.toml declares them), puts the development tenants on the
// local allow-list (dev-tenant.ts: the development tenant on DB_2, so the path through a second shard is
// exercised every day; the one with four managers on DB) unless the audit trail already has
// them (then the console and the CLI own them), prints how to call it, then runs `wrangler dev` and, beside
// it, the TeleMessage core emulator at http://localhost:8788 (CORE_URL of the local config), so every change
// can be watched arriving at the core, and the account managers' console at http://localhost:8789 behind a
// stand-in for Cloudflare Access (access-emulator.ts). Local wrangler dev runs no cron triggers, so this
// script calls the scheduled handler once a minute itself (the outbox cron: re-sends, redrives, pruning,
// allow-list publishes).
//
// PORT, CORE_EMULATOR_PORT and CONSOLE_PORT move the three; `--persist-to <dir>` keeps all local state there
// instead of .wrangler/state (the browser tests run the whole thing in a throwaway directory).
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { JWK } from "jose";
import { parse } from "smol-toml";
import { tenantKey } from "../../tenants/record.ts";
import { shardOf } from "../../tenants/shard.ts";
import { shardsOf, type ShardedEnvironment } from "../wrangler/shards.ts";
import { withTempFile } from "../temp-file.ts";
import { queryD1 } from "../wrangler/d1.ts";
import { runWrangler } from "../wrangler/run.ts";
import { sqlLiteral } from "../wrangler/sql-literal.ts";
import devAccessKey from "./dev-access-key.json" with { type: "json" };
import { DEFAULT_DEV_EMAIL, startAccessEmulator } from "./access-emulator.ts";
import { DEV_APPS_TENANT_ID, DEV_APPS_TENANT_RECORD, DEV_TENANT_ID, DEV_TENANT_RECORD, managerNames } from "./dev-tenant.ts";

const PORT = Number(process.env.PORT ?? 8787);
const CORE_PORT = Number(process.env.CORE_EMULATOR_PORT ?? 8788);
const CONSOLE_PORT = Number(process.env.CONSOLE_PORT ?? 8789);
const args = process.argv.slice(2);
const persistAt = args.indexOf("--persist-to");
const persistTo = persistAt >= 0 ? ["--persist-to", args[persistAt + 1] ?? ""] : [];
/** Used when neither .dev.vars nor the environment sets CORE_TOKEN; the emulator is told the same. */
const DEV_CORE_TOKEN = "local-dev-core-token";
const CRON_INTERVAL_MS = 60_000;

/** CORE_TOKEN from .dev.vars (KEY=VALUE lines), which wrangler dev also reads. */
function devVarsCoreToken(): string | undefined {
  if (!existsSync(".dev.vars")) return undefined;
  const line = readFileSync(".dev.vars", "utf8").split(/\r?\n/).find((l) => /^\s*CORE_TOKEN\s*=/.test(l));
  return line?.replace(/^\s*CORE_TOKEN\s*=\s*/, "").replace(/^(["'])(.*)\1$/, "$2").trim() || undefined;
}

const coreToken = devVarsCoreToken() ?? process.env.CORE_TOKEN ?? DEV_CORE_TOKEN;
// With [secrets] in wrangler.toml, wrangler dev also takes CORE_TOKEN from the environment.
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CORE_TOKEN: coreToken };

/** Runs one setup step of wrangler to completion, prints what it printed, and stops npm start if it failed. */
async function wrangler(args: string[]): Promise<string> {
  const result = await runWrangler(args);
  process.stdout.write(`${result.stdout}${result.stderr}`);
  if (result.status !== 0) {
    console.error(`\nwrangler ${args.join(" ")} failed (exit ${result.status}).`);
    process.exit(result.status);
  }
  return result.stdout;
}

/** The development tenants the audit trail already holds: changed in the console or the CLI, left alone. */
async function recordedTenants(ids: string[]): Promise<Set<string>> {
  const sql = `SELECT tenant_id FROM tenant_records WHERE tenant_id IN (${ids.map(sqlLiteral).join(", ")})`;
  const rows = await queryD1<{ tenant_id: string }>({ remote: false, ...(persistAt >= 0 ? { persistTo: persistTo[1] } : {}) }, sql).catch(() => []);
  return new Set(rows.map((row) => row.tenant_id));
}

const shards = shardsOf(parse(readFileSync("wrangler.toml", "utf8")) as ShardedEnvironment);
// One shard after the other: two wrangler processes on one --persist-to share Miniflare's local storage, and
// migrating the shards at once failed with SQLITE_BUSY ("database is locked") in one of eight test runs.
// The development tenants go to KV in one bulk write (each wrangler start costs about two seconds of CPU).
const migrated: string[] = [];
for (const shard of shards) migrated.push(await wrangler(["d1", "migrations", "apply", shard, "--local", ...persistTo]));
// A first database (its first migration just applied, e.g. a new --persist-to) holds no audit trail to ask.
const FIRST_MIGRATION = readdirSync("migrations").filter((f) => f.endsWith(".sql")).sort()[0] ?? "";
const freshDb = migrated[shards.indexOf("DB")]?.includes(FIRST_MIGRATION) ?? false;
const devTenants = [
  [DEV_TENANT_ID, DEV_TENANT_RECORD],
  [DEV_APPS_TENANT_ID, DEV_APPS_TENANT_RECORD],
] as const;
const recorded = freshDb ? new Set<string>() : await recordedTenants(devTenants.map(([id]) => id));
const unrecorded = devTenants
  .filter(([tenantId]) => !recorded.has(tenantId))
  .map(([tenantId, record]) => ({ key: tenantKey(tenantId), value: JSON.stringify({ ...record, updatedAt: new Date().toISOString() }) }));
if (unrecorded.length) {
  await withTempFile(JSON.stringify(unrecorded), (path) => wrangler(["kv", "bulk", "put", path, "--binding", "TENANTS", "--local", ...persistTo]));
}

// The console's Access application, as the local configuration names it (wrangler.toml [vars]).
const vars = (parse(readFileSync("wrangler.toml", "utf8")) as { vars?: Record<string, string> }).vars ?? {};
const consoleUrl = `http://localhost:${CONSOLE_PORT}/`;

const base = `http://localhost:${PORT}/scim/v2`;
console.log(`
TeleMessage provisioning gateway (local)
  SCIM base URL:        ${base}
  Development tenant:   ${DEV_TENANT_ID}  (manager "${managerNames(DEV_TENANT_RECORD)[0]}", shard ${shardOf(DEV_TENANT_RECORD)})
  One app per manager:  ${DEV_APPS_TENANT_ID}  (${managerNames(DEV_APPS_TENANT_RECORD).length} managers, shard ${shardOf(DEV_APPS_TENANT_RECORD)}: npm run tenants -- show ${DEV_APPS_TENANT_ID})
  Local shards:         ${shards.join(", ")}  (npm run outbox -- status shows each)
  Mint a token:         npm run -s token -- --tenant ${DEV_TENANT_ID}
  Try it:               curl -H "Authorization: Bearer $(npm run -s token -- --tenant ${DEV_TENANT_ID})" '${base}/Users'
  Core emulator:        http://localhost:${CORE_PORT}  (GET /users, GET /events, POST /_control/fail)
  Outbox:               npm run outbox -- status
  Console:              ${consoleUrl}  (account managers; a stand-in for Cloudflare Access signs you in)
`);

let stopping = false;
const core = spawn(process.execPath, ["src/tools/dev/core-emulator-server.ts", "--port", String(CORE_PORT)], { stdio: "inherit", env });
core.on("exit", (code, signal) => {
  if (stopping) return;
  console.error(`\nThe core emulator stopped (${code ? `exit ${code}; is port ${CORE_PORT} taken?` : signal}). Changes are retried until a core answers.`);
});

const portVars = [
  ...(CORE_PORT === 8788 ? [] : ["--var", `CORE_URL:http://localhost:${CORE_PORT}`]),
  ...(CONSOLE_PORT === 8789 ? [] : ["--var", `CONSOLE_HOST:localhost:${CONSOLE_PORT}`]),
  ...(PORT === 8787 ? [] : ["--var", `GATEWAY_ORIGIN:http://localhost:${PORT}`]),
];
const dev = spawn("wrangler", ["dev", "--port", String(PORT), "--ip", "127.0.0.1", "--test-scheduled", ...portVars, ...args], {
  stdio: "inherit",
  env,
});
const accessEmulator = await startAccessEmulator({
  port: CONSOLE_PORT,
  workerOrigin: `http://127.0.0.1:${PORT}`,
  teamDomain: vars.ACCESS_TEAM_DOMAIN ?? "",
  audience: vars.ACCESS_AUD ?? "",
  jwk: devAccessKey as JWK,
  defaultEmail: process.env.CONSOLE_EMAIL ?? DEFAULT_DEV_EMAIL,
}).catch((error: unknown) => {
  console.error(`\nThe console's Access stand-in could not listen on port ${CONSOLE_PORT} (${error instanceof Error ? error.message : String(error)}); set CONSOLE_PORT.`);
  return undefined;
});
const cron = setInterval(() => {
  fetch(`http://127.0.0.1:${PORT}/__scheduled?cron=*+*+*+*+*`).catch(() => {}); // not up yet: next minute
}, CRON_INTERVAL_MS);

const stop = (signal: NodeJS.Signals) => {
  stopping = true;
  dev.kill(signal);
  core.kill(signal);
  accessEmulator?.close();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
dev.on("exit", (code) => {
  stopping = true;
  clearInterval(cron);
  core.kill("SIGTERM");
  accessEmulator?.close();
  process.exit(code ?? 0);
});
