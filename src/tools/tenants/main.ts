// npm run tenants -- <command>: the account managers' allow-list tool. Wires the real world into
// cli.ts: wrangler's KV and D1 (local, or Cloudflare with --remote --env; the ledger in D1's first database),
// who is running it (actor.ts), the terminal, the clock, and wrangler.toml for the host of the Tenant URLs
// `show` prints and the environments --env may name.
import { confirm } from "../prompt.ts";
import { readWranglerConfig } from "../wrangler/config.ts";
import { defaultGatewayHost } from "./gateway-host.ts";
import { createManagerUsers } from "../../users/manager-moves.ts";
import { runTenantsCli } from "./cli.ts";
import { executeD1, executeD1Sql, queryD1WithMeta } from "../wrangler/d1.ts";
import { readShards } from "../wrangler/shards.ts";
import { loadCapacityFigures } from "../capacity/load.ts";
import { createShardSizes } from "./shard-sizes.ts";
import { runWrangler } from "../wrangler/run.ts";
import { environmentsOf } from "../wrangler/environments.ts";
import { createSqlLedger } from "../../db/tenant-ledger.ts";
import { cliActor } from "./actor.ts";
import { createWranglerKvStore, type WranglerTarget } from "../wrangler/kv-store.ts";

/** What one `--command` argument may hold (Linux: 128 KiB per argument), with room to spare. */
const MAX_COMMAND_CHARS = 100_000;

/** The host `show` prints in Tenant URLs, from the wrangler.toml the command targets. */
const gatewayHost = (target: WranglerTarget): string | undefined => defaultGatewayHost(target, readWranglerConfig(target.config));

process.exitCode = await runTenantsCli(process.argv.slice(2), {
  openStore: createWranglerKvStore,
  openLedger: (target) => createSqlLedger(executeD1Sql(target)),
  actor: (target) => cliActor(target),
  openUsers: (target) =>
    createManagerUsers((shard, statements) => executeD1(target, statements, runWrangler, shard), { now: () => new Date(), newId: () => crypto.randomUUID() }),
  openShards: (target) =>
    createShardSizes(
      readShards(target),
      async (shard, sql) => {
        const { rows, meta } = await queryD1WithMeta<Record<string, unknown>>(target, sql, runWrangler, shard);
        return { rows, ...(meta.size_after !== undefined ? { sizeAfter: meta.size_after } : {}) };
      },
      loadCapacityFigures(),
    ),
  openMoves: (target) => ({
    // One `wrangler d1 execute --command` argument holds at most 128 KiB: a move's statements go in groups
    // below that (each statement of a move is an idempotent upsert or delete, so groups need not be atomic).
    async execute(shard, statements) {
      const results: Record<string, unknown>[][] = [];
      for (let i = 0; i < statements.length; ) {
        let length = 0;
        let j = i;
        while (j < statements.length && (j === i || length + statements[j]!.length < MAX_COMMAND_CHARS)) length += statements[j++]!.length + 2;
        results.push(...(await executeD1(target, statements.slice(i, j), runWrangler, shard)));
        i = j;
      }
      return results;
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    shards: readShards(target),
  }),
  capacity: loadCapacityFigures,
  gatewayHost,
  queryD1: (target, statements, shard) => executeD1(target, statements, runWrangler, shard),
  shardsOf: readShards,
  environments: (config) => environmentsOf(readWranglerConfig(config)),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  confirm,
});
