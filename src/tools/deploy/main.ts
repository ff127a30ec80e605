// npm run deploy -- --env <staging|production> [--dry-run]: remote D1 migrations first, then the Worker
// (see plan.ts for why, and for what is refused). wrangler's own output and prompts pass through.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parse } from "smol-toml";
import { DEPLOY_USAGE, planDeploy, refusalOf, type WranglerConfig } from "./plan.ts";

const config = parse(readFileSync(new URL("../../../wrangler.toml", import.meta.url), "utf8")) as WranglerConfig;
const plan = planDeploy(process.argv.slice(2), config);

if (!plan.ok) {
  const help = plan.message === "" && plan.usage;
  if (!help) process.stderr.write(`deploy: ${plan.message}\n`);
  if (plan.usage) (help ? process.stdout : process.stderr).write(`${help ? "" : "\n"}${DEPLOY_USAGE}\n`);
  process.exit(help ? 0 : 2);
}

for (const [i, step] of plan.steps.entries()) {
  process.stderr.write(`\n[${i + 1}/${plan.steps.length}] ${step.label}: wrangler ${step.args.join(" ")}\n`);
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
  // A check's output is read (and still shown); every other step talks to the terminal directly.
  const result = step.check
    ? spawnSync("wrangler", step.args, { stdio: ["inherit", "pipe", "pipe"], encoding: "utf8", env: { ...env, FORCE_COLOR: "0" } })
    : spawnSync("wrangler", step.args, { stdio: "inherit", env });
  if (step.check) process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}`);
  const refusal = result.status === 0 ? refusalOf(step, `${result.stdout ?? ""}`) : undefined;
  if (refusal) {
    process.stderr.write(`\ndeploy: refused: ${refusal}\n`);
    process.exit(1);
  }
  if (result.status !== 0) {
    const migrated = i > 0 ? " The migrations before it were applied; the previous Worker version keeps running on them." : "";
    process.stderr.write(`\ndeploy: step ${i + 1} failed (exit ${result.status ?? result.signal}); nothing after it ran.${migrated}\n`);
    process.exit(result.status ?? 1);
  }
}
process.stderr.write(
  plan.dryRun
    ? `\nDry run of "${plan.env}" built; nothing was migrated or uploaded.\n`
    : `\nDeployed "${plan.env}". Check it: curl https://<host>/health. Roll back: npx wrangler rollback --env ${plan.env} (README, "Deploying").\n`,
);
