// npm run tenants -- <command>: the account managers' allow-list tool. Wires the real world into
// cli.ts: wrangler's KV and D1 (local, or Cloudflare with --remote --env; the ledger in D1's first database),
// who is running it (actor.ts), the terminal, the clock, and wrangler.toml for the host of the Tenant URLs
// `show` prints and the environments --env may name.
import { confirm } from "../prompt.ts";
import { readWranglerConfig } from "../wrangler/config.ts";
import { defaultGatewayHost } from "./gateway-host.ts";
import { createManagerUsers } from "../../users/manager-moves.ts";
import { runTenantsCli } from "./cli.ts";
import { executeD1, executeD1Sql } from "../wrangler/d1.ts";
import { environmentsOf } from "../wrangler/environments.ts";
import { createSqlLedger } from "../../db/tenant-ledger.ts";
import { cliActor } from "./actor.ts";
import { createWranglerKvStore, type WranglerTarget } from "../wrangler/kv-store.ts";

/** The host `show` prints in Tenant URLs, from the wrangler.toml the command targets. */
const gatewayHost = (target: WranglerTarget): string | undefined => defaultGatewayHost(target, readWranglerConfig(target.config));

process.exitCode = await runTenantsCli(process.argv.slice(2), {
  openStore: createWranglerKvStore,
  openLedger: (target) => createSqlLedger(executeD1Sql(target)),
  actor: (target) => cliActor(target),
  openUsers: (target) => createManagerUsers((statements) => executeD1(target, statements), { now: () => new Date(), newId: () => crypto.randomUUID() }),
  gatewayHost,
  queryD1: (target, statements) => executeD1(target, statements),
  environments: (config) => environmentsOf(readWranglerConfig(config)),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  confirm,
});
