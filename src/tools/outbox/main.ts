// npm run outbox -- status|failed|redrive [...]: the operators' view of the outbox. Wires wrangler's D1
// (local, or Cloudflare with --remote --env), wrangler.toml's environments and the terminal into cli.ts.
import { runOutboxCli } from "./cli.ts";
import { confirm } from "../prompt.ts";
import { readWranglerConfig } from "../wrangler/config.ts";
import { queryD1 } from "../wrangler/d1.ts";
import { environmentsOf } from "../wrangler/environments.ts";

process.exitCode = await runOutboxCli(process.argv.slice(2), {
  query: (target, sql) => queryD1(target, sql),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  confirm,
  environments: (config) => environmentsOf(readWranglerConfig(config)),
});
