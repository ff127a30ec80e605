// npm run tenants -- <command>: the account managers' allow-list tool. Wires the real world into
// tenants-cli.ts: wrangler's KV (local, or Cloudflare with --remote --env), the terminal, the clock.
import { createInterface } from "node:readline/promises";
import { runTenantsCli } from "./tenants-cli.ts";
import { createWranglerKvStore } from "./wrangler-kv-store.ts";

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
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  confirm,
});
