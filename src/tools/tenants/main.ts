// npm run tenants -- <command>: the account managers' allow-list tool. Wires the real world into
// cli.ts: wrangler's KV and D1 (local, or Cloudflare with --remote --env; the ledger in D1's first database),
// who is running it (actor.ts), the terminal, the clock, and wrangler.toml for the host of the Tenant URLs
// `show` prints.
import { existsSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { parse } from "smol-toml";
import type { WranglerConfig } from "../deploy/plan.ts";
import { defaultGatewayHost } from "./gateway-host.ts";
import { createManagerUsers } from "../../users/manager-moves.ts";
import { runTenantsCli } from "./cli.ts";
import { executeD1, executeD1Sql } from "../wrangler/d1.ts";
import { createSqlLedger } from "../../db/tenant-ledger.ts";
import { cliActor } from "./actor.ts";
import { createWranglerKvStore, type WranglerTarget } from "../wrangler/kv-store.ts";

/** The host `show` prints in Tenant URLs, from the wrangler.toml the command targets. */
function gatewayHost(target: WranglerTarget): string | undefined {
  const path = target.config ?? "wrangler.toml";
  const config = existsSync(path) ? (parse(readFileSync(path, "utf8")) as WranglerConfig) : {};
  return defaultGatewayHost(target, config);
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  // Without a line to read (stdin closed, e.g. in CI) the answer is no.
  const closed = new Promise<string>((resolve) => rl.once("close", () => resolve("")));
  try {
    const answer = await Promise.race([rl.question(question), closed]);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

process.exitCode = await runTenantsCli(process.argv.slice(2), {
  openStore: createWranglerKvStore,
  openLedger: (target) => createSqlLedger(executeD1Sql(target)),
  actor: (target) => cliActor(target),
  openUsers: (target) => createManagerUsers((statements) => executeD1(target, statements), { now: () => new Date(), newId: () => crypto.randomUUID() }),
  gatewayHost,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  confirm,
});
