// npm run db:migrate [-- --remote --env <name>]: applies the D1 migrations to every shard the environment
// declares (DB, DB_2, ...; issue 15 §2), the local databases of `npm start` by default. Every shard has the
// same schema; `npm run deploy` does the same to the remote shards before it deploys.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parse } from "smol-toml";
import { parseCommandLine, usageError } from "../command-line.ts";
import { shardsOf, type ShardedEnvironment } from "../wrangler/shards.ts";

const USAGE = `usage: npm run db:migrate [-- --remote --env <name>] [-- --persist-to <dir>]
  applies the D1 migrations to every shard (DB, DB_2, ...) of wrangler.toml's environment
  --remote --env <name>   Cloudflare's databases of that environment (default: the local ones of npm start)
  --persist-to <dir>      local state directory (wrangler's --persist-to)`;
const values = parseCommandLine("db:migrate", USAGE, { remote: { type: "boolean" }, env: { type: "string" }, "persist-to": { type: "string" } });
if (values.remote && !values.env) usageError("db:migrate", USAGE, "--remote needs --env <name> (staging or production)");
if (values.env && !values.remote) usageError("db:migrate", USAGE, "--env names a Cloudflare environment; add --remote");

type Config = ShardedEnvironment & { env?: Record<string, ShardedEnvironment> };
const config = parse(readFileSync(new URL("../../../wrangler.toml", import.meta.url), "utf8")) as Config;
const environment = values.env ? config.env?.[values.env] : config;
if (!environment) usageError("db:migrate", USAGE, `wrangler.toml has no environment "${values.env}"`);
const where = [
  values.remote ? "--remote" : "--local",
  ...(values.env ? ["--env", values.env] : []),
  ...(values["persist-to"] ? ["--persist-to", values["persist-to"]] : []),
];
for (const shard of shardsOf(environment)) {
  process.stderr.write(`\nshard ${shard}: wrangler d1 migrations apply ${shard} ${where.join(" ")}\n`);
  const result = spawnSync("wrangler", ["d1", "migrations", "apply", shard, ...where], { stdio: "inherit", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
  if (result.status !== 0) {
    process.stderr.write(`\ndb:migrate: shard ${shard} failed (exit ${result.status ?? result.signal}); the shards before it are migrated.\n`);
    process.exit(result.status ?? 1);
  }
}
