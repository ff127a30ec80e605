// The end-to-end check CI runs (node src/tools/dev/e2e-local.ts): the real gateway under `wrangler dev` on a
// free port and a throwaway state directory (never .wrangler/state), tenants approved through the
// allow-list commands, /health awaited, then a small Entra sync-cycle simulation against it and, with
// --apps n, a second one with one Entra app per manager on their own Tenant URLs. As `npm start` does, every
// shard wrangler.toml declares is migrated, the first tenant lives on the last shard (DB_2 today) and the one
// with an app per manager on the first (issue 15 §2). Then issue 14's proof:
// `npm run entra-sim -- --manager "Ann Manger"` against a tenant whose registered manager is "Ann Manager",
// and `npm run tenants -- doctor` on the same local state must name the misspelling and the registered
// name. Exits 0 only if the gateway came up, no simulation saw anything unexpected and the doctor named
// it. Stops the gateway in every case.
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import devSigningKey from "./dev-signing-key.json" with { type: "json" };
import { signDevToken } from "./dev-token.ts";
import { createWranglerKvStore } from "../wrangler/kv-store.ts";
import { executeD1Sql } from "../wrangler/d1.ts";
import { createSqlLedger } from "../../db/tenant-ledger.ts";
import { formatSummary } from "../entra-sim/report.ts";
import { runAppsSimulation } from "../entra-sim/run-apps-simulation.ts";
import { runSimulation } from "../entra-sim/run-simulation.ts";
import { addTenant } from "../../tenants/commands.ts";
import { readShards } from "../wrangler/shards.ts";
import { managersOf } from "../../tenants/managers.ts";

const TENANT_ID = "c1c1c1c1-0000-4000-8000-00000000e2e0";
const APPS_TENANT_ID = "c1c1c1c1-0000-4000-8000-00000000e2e1";
const MISSPELT_TENANT_ID = "c1c1c1c1-0000-4000-8000-00000000e2e2";
/** What the doctor must say after entra-sim sent "Ann Manger" to a tenant that registered "Ann Manager". */
const MISSPELT_FINDING = /PROBLEM \(Entra admin must act\): \d+ refusals? in the last 24 h, all unknown manager 'Ann Manger': the app's displayName constant is misspelled; registered: Ann Manager/;
const MANAGERS = ["Ann Manager", "Bob Boss"];
const APP_MANAGERS = ["Ann Manager", "Bob Boss", "Cy Chief", "Di Director"];
const HEALTH_TIMEOUT_MS = 90_000;

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "20" },
    cycles: { type: "string", default: "3" },
    seed: { type: "string", default: "11" },
    apps: { type: "string" },
    "keep-state": { type: "boolean" },
  },
});

const env = { ...process.env, WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0", CORE_TOKEN: process.env.CORE_TOKEN ?? "e2e-unused" };
const state = mkdtempSync(join(tmpdir(), "gateway-e2e-"));
const devLog = join(state, "wrangler-dev.log");
const say = (line: string) => process.stderr.write(`e2e: ${line}\n`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForHealth(url: string, exited: () => boolean): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < HEALTH_TIMEOUT_MS) {
    if (exited()) throw new Error("wrangler dev exited before the gateway answered");
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return Date.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000} s`);
}

let exitCode = 1;
const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
let dev: ReturnType<typeof spawn> | undefined;
try {
  const shards = readShards({});
  for (const shard of shards) {
    const migrate = spawnSync("wrangler", ["d1", "migrations", "apply", shard, "--local", "--persist-to", state], { env, encoding: "utf8" });
    if (migrate.status !== 0) throw new Error(`D1 migrations of shard ${shard} failed:\n${migrate.stdout}\n${migrate.stderr}`);
  }
  const target = { remote: false, persistTo: state };
  const commands = { store: createWranglerKvStore(target), ledger: createSqlLedger(executeD1Sql(target)), actor: { name: "e2e-local", source: "cli" as const }, now: () => new Date() };
  await addTenant(commands, TENANT_ID, { accountId: "TM-E2E", name: "End-to-end check", managers: MANAGERS, shard: shards.at(-1) });
  const appCount = values.apps === undefined ? 0 : Number(values.apps);
  if (!(Number.isInteger(appCount) && appCount >= 0 && appCount <= APP_MANAGERS.length)) throw new Error(`--apps is 0 to ${APP_MANAGERS.length}`);
  const apps = appCount
    ? await addTenant(commands, APPS_TENANT_ID, { accountId: "TM-E2E", name: "End-to-end check, one app per manager", managers: APP_MANAGERS.slice(0, appCount) })
    : undefined;
  await addTenant(commands, MISSPELT_TENANT_ID, { accountId: "TM-E2E", name: "End-to-end check, misspelt manager", managers: ["Ann Manager"] });
  say(`migrated D1 shards ${shards.join(", ")} and approved tenant ${TENANT_ID} (shard ${shards.at(-1)})${apps ? ` and ${APPS_TENANT_ID} (${appCount} managers)` : ""} in ${state}`);

  const log = createWriteStream(devLog);
  // Its own process group, so stopping it also stops the workerd it starts.
  dev = spawn("wrangler", ["dev", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", state, "--show-interactive-dev-session=false"], {
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  dev.stdout?.pipe(log);
  dev.stderr?.pipe(log);
  let exited = false;
  dev.on("exit", () => (exited = true));
  const upAfter = await waitForHealth(`${origin}/health`, () => exited);
  say(`gateway up at ${origin} after ${upAfter} ms`);

  const token = await signDevToken({ jwk: devSigningKey, tenantId: TENANT_ID });
  const simDeps = {
    fetch: (input: string, init?: RequestInit) => fetch(input, init),
    now: () => performance.now(),
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    log: say,
  };
  const summary = await runSimulation(
    {
      baseUrl: `${origin}/scim/v2`,
      tenantId: TENANT_ID,
      token,
      users: Number(values.users),
      cycles: Number(values.cycles),
      concurrency: 4,
      shape: "mixed",
      managers: MANAGERS,
      seed: Number(values.seed),
      changeRate: 0.5,
    },
    simDeps,
  );
  process.stdout.write(formatSummary(summary));
  exitCode = summary.ok ? 0 : 1;

  if (apps?.record) {
    // The keys the allow-list commands gave the managers: the Tenant URLs `npm run tenants -- show` prints.
    const appSummary = await runAppsSimulation(
      {
        baseUrl: `${origin}/scim/v2`,
        tenantId: APPS_TENANT_ID,
        token: await signDevToken({ jwk: devSigningKey, tenantId: APPS_TENANT_ID }),
        users: Number(values.users),
        cycles: Number(values.cycles),
        concurrency: 2,
        shape: "mixed",
        apps: (managersOf(apps.record) ?? []).map((m) => ({ manager: m.name, key: m.key })),
        seed: Number(values.seed),
        changeRate: 0.5,
      },
      simDeps,
    );
    process.stdout.write(formatSummary(appSummary));
    if (!appSummary.ok) exitCode = 1;
  }

  // Issue 14: the commands as an account manager runs them. One cycle of 60 users is over 100 requests,
  // so the isolate writes the activity by count while the gateway runs (its first request at once).
  const sim = spawnSync(
    process.execPath,
    ["src/tools/entra-sim/main.ts", "--base-url", `${origin}/scim/v2`, "--tenant", MISSPELT_TENANT_ID, "--manager", "Ann Manger", "--users", "60", "--cycles", "1", "--seed", "3"],
    { env, encoding: "utf8" },
  );
  say(`entra-sim with displayName "Ann Manger": exit ${sim.status} (refusals expected), ${sim.stdout.split("\n").find((l) => /statuses/i.test(l))?.trim() ?? ""}`);
  const doctor = spawnSync(process.execPath, ["src/tools/tenants/main.ts", "doctor", MISSPELT_TENANT_ID, "--persist-to", state], { env, encoding: "utf8" });
  process.stdout.write(`npm run tenants -- doctor ${MISSPELT_TENANT_ID}:\n${doctor.stdout}`);
  if (doctor.status !== 1 || !MISSPELT_FINDING.test(doctor.stdout)) {
    say(`FAILED: tenants doctor did not name the misspelt manager (exit ${doctor.status}):\n${doctor.stdout}${doctor.stderr}`);
    exitCode = 1;
  }
} catch (error) {
  say(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
  try {
    say(`last lines of wrangler dev:\n${readFileSync(devLog, "utf8").split("\n").slice(-30).join("\n")}`);
  } catch {
    // wrangler dev never started
  }
} finally {
  if (dev?.pid && dev.exitCode === null) {
    const pid = dev.pid;
    const stopped = new Promise((resolve) => dev?.once("exit", resolve));
    process.kill(-pid, "SIGTERM");
    const timer = setTimeout(() => process.kill(-pid, "SIGKILL"), 5000);
    await stopped;
    clearTimeout(timer);
  }
  if (values["keep-state"]) say(`state kept in ${state}`);
  else rmSync(state, { recursive: true, force: true });
}
process.exit(exitCode);
