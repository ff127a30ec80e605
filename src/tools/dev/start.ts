// `npm start`: the gateway on local D1/KV/Queue at http://localhost:8787/scim/v2. Applies the migrations to
// both local shards (DB and DB_2, as wrangler.toml declares them), puts the development tenants on the
// local allow-list (dev-tenant.ts: the development tenant on DB_2, so the path through a second shard is
// exercised every day; the one with four managers on DB), prints how to call it, then runs
// `wrangler dev` and, beside it, the TeleMessage core emulator at http://localhost:8788 (CORE_URL of the
// local config), so every change can be watched arriving at the core. Local wrangler dev runs no cron
// triggers, so this script calls the scheduled handler once a minute itself (the outbox cron: re-sends,
// redrives, pruning).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { parse } from "smol-toml";
import { tenantKey } from "../../tenants/record.ts";
import { shardOf } from "../../tenants/shard.ts";
import { shardsOf, type ShardedEnvironment } from "../wrangler/shards.ts";
import { DEV_APPS_TENANT_ID, DEV_APPS_TENANT_RECORD, DEV_TENANT_ID, DEV_TENANT_RECORD, managerNames } from "./dev-tenant.ts";

const PORT = Number(process.env.PORT ?? 8787);
const CORE_PORT = Number(process.env.CORE_EMULATOR_PORT ?? 8788);
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

function wrangler(args: string[]): void {
  const result = spawnSync("wrangler", args, { stdio: ["ignore", "inherit", "inherit"], env });
  if (result.status !== 0) {
    console.error(`\nwrangler ${args.join(" ")} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}

const shards = shardsOf(parse(readFileSync("wrangler.toml", "utf8")) as ShardedEnvironment);
for (const shard of shards) wrangler(["d1", "migrations", "apply", shard, "--local"]);
for (const [tenantId, record] of [
  [DEV_TENANT_ID, DEV_TENANT_RECORD],
  [DEV_APPS_TENANT_ID, DEV_APPS_TENANT_RECORD],
] as const) {
  const stored = { ...record, updatedAt: new Date().toISOString() };
  wrangler(["kv", "key", "put", "--binding", "TENANTS", "--local", tenantKey(tenantId), JSON.stringify(stored)]);
}

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
`);

let stopping = false;
const core = spawn(process.execPath, ["src/tools/dev/core-emulator-server.ts", "--port", String(CORE_PORT)], { stdio: "inherit", env });
core.on("exit", (code, signal) => {
  if (stopping) return;
  console.error(`\nThe core emulator stopped (${code ? `exit ${code}; is port ${CORE_PORT} taken?` : signal}). Changes are retried until a core answers.`);
});

const coreUrlVar = CORE_PORT === 8788 ? [] : ["--var", `CORE_URL:http://localhost:${CORE_PORT}`];
const dev = spawn("wrangler", ["dev", "--port", String(PORT), "--ip", "127.0.0.1", "--test-scheduled", ...coreUrlVar, ...process.argv.slice(2)], {
  stdio: "inherit",
  env,
});
const cron = setInterval(() => {
  fetch(`http://127.0.0.1:${PORT}/__scheduled?cron=*+*+*+*+*`).catch(() => {}); // not up yet: next minute
}, CRON_INTERVAL_MS);

const stop = (signal: NodeJS.Signals) => {
  stopping = true;
  dev.kill(signal);
  core.kill(signal);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
dev.on("exit", (code) => {
  stopping = true;
  clearInterval(cron);
  core.kill("SIGTERM");
  process.exit(code ?? 0);
});
