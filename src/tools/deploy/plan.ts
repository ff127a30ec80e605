// What `npm run deploy` will run, decided from its arguments and wrangler.toml before anything runs. Pure.
//
// Order matters: the remote D1 migrations go first, to every shard (DB, DB_2, ...: issue 15 §2), then each
// shard is asked whether a migration is still to apply, and the deploy stops if one is behind; so the new
// code never meets an old schema, whichever shard a tenant lives on. (The old
// code does meet the new schema, during the deploy and after a rollback; migrations must therefore only
// add, never rename or drop what a running version reads.) A configuration that still holds the
// placeholders of the repository (all-zero ids, *.example hosts) is refused: it would deploy against
// resources that do not exist. So is one whose settings are for local development only (findUnsafeSettings),
// even for a dry run: those are never meant to be built for Cloudflare.
import { parseArgs } from "node:util";
import { isLocalDevelopment } from "../../environment.ts";
import { coreUrlProblem } from "../../outbox/forwarding-config.ts";
import { migrationsCurrent, shardProblems, shardsOf, type D1Declaration } from "../wrangler/shards.ts";

export type WranglerConfig = {
  env?: Record<string, EnvironmentConfig>;
};

type EnvironmentConfig = {
  name?: string;
  vars?: Record<string, unknown>;
  d1_databases?: D1Declaration[];
  kv_namespaces?: { binding?: string; id?: string }[];
  routes?: (string | { pattern?: string })[];
};

/**
 * One wrangler command. A step with `check` is a question: its output must satisfy the check, or the deploy
 * stops there with `refusal` (main.ts runs it with the output captured).
 */
export type DeployStep = { label: string; args: string[]; check?: "migrations-current"; refusal?: string };

export type DeployPlan =
  | { ok: true; env: string; dryRun: boolean; steps: DeployStep[] }
  | { ok: false; message: string; usage: boolean };

export const DEPLOY_USAGE = `usage: npm run deploy -- --env <staging|production> [--dry-run] [--message <text>] [--outdir <dir>]

Applies the D1 migrations to every shard of the environment (its remote databases DB, DB_2, ...), checks
that none is behind, then deploys the Worker to it (\`wrangler deploy --env <env>\`). Uses your \`wrangler login\` (or CLOUDFLARE_API_TOKEN).
  --env       the wrangler.toml environment; required, so nothing is ever deployed by accident
  --dry-run   build and check the bundle only (wrangler deploy --dry-run); migrates and uploads nothing
  --message   a note stored with the new version, shown by \`wrangler deployments list\`
  --outdir    where --dry-run writes the bundle
See README, "Deploying".`;

const ZERO_ID = /^[0-]+[0-9]$/;
const PLACEHOLDER_HOST = /\.example(?:[/:]|$)/;

export function planDeploy(argv: string[], config: WranglerConfig): DeployPlan {
  let values: { env?: string; "dry-run"?: boolean; message?: string; outdir?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        env: { type: "string" },
        "dry-run": { type: "boolean" },
        message: { type: "string" },
        outdir: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error), usage: true };
  }
  if (values.help) return { ok: false, message: "", usage: true };

  const env = values.env?.trim();
  const known = Object.keys(config.env ?? {});
  if (!env) {
    return { ok: false, message: `--env is required (one of: ${known.join(", ") || "none defined"}); the top level of wrangler.toml is local development only`, usage: true };
  }
  const environment = config.env?.[env];
  if (!environment) return { ok: false, message: `wrangler.toml has no environment "${env}" (known: ${known.join(", ")})`, usage: false };

  const shards = shardProblems(environment);
  if (shards.length) return { ok: false, usage: false, message: `wrangler.toml's environment "${env}" has shards the deploy cannot keep on one schema: ${shards.join("; ")}.` };

  const unsafe = findUnsafeSettings(environment);
  if (unsafe.length) {
    return { ok: false, usage: false, message: `wrangler.toml's environment "${env}" has settings for local development only: ${unsafe.join("; ")}.` };
  }

  const dryRun = values["dry-run"] === true;
  if (!dryRun) {
    const placeholders = findPlaceholders(environment);
    if (placeholders.length) {
      return {
        ok: false,
        usage: false,
        message: `wrangler.toml's environment "${env}" still has placeholders: ${placeholders.join("; ")}. Create the resources and fill in their ids and hosts (README, "Deploying"); --dry-run works without them.`,
      };
    }
  }

  const deploy = ["deploy", "--env", env, ...(values.message ? ["--message", values.message] : [])];
  if (dryRun) {
    return {
      ok: true,
      env,
      dryRun,
      steps: [{ label: `build the "${env}" bundle without uploading it`, args: [...deploy, "--dry-run", ...(values.outdir ? ["--outdir", values.outdir] : [])] }],
    };
  }
  return {
    ok: true,
    env,
    dryRun,
    steps: [
      ...shardsOf(environment).map((shard) => ({ label: `apply D1 migrations to the "${env}" shard ${shard}`, args: ["d1", "migrations", "apply", shard, "--remote", "--env", env] })),
      ...shardsOf(environment).map((shard) => ({
        label: `check that the "${env}" shard ${shard} has every migration`,
        args: ["d1", "migrations", "list", shard, "--remote", "--env", env],
        check: "migrations-current" as const,
        refusal: `the "${env}" shard ${shard} is behind: a migration is still to apply. Nothing was deployed; the running Worker is unchanged. Apply it (npm run db:migrate -- --remote --env ${env}) and deploy again.`,
      })),
      { label: `deploy the Worker to "${env}"`, args: deploy },
    ],
  };
}

/** Why the deploy must stop after a check step that ran (its output read), or undefined to go on. */
export function refusalOf(step: DeployStep, output: string): string | undefined {
  if (step.check === "migrations-current" && !migrationsCurrent(output)) return step.refusal ?? "a check failed";
  return undefined;
}

/**
 * Settings that would weaken a deployed Worker: the development signing key (its private half is in the
 * repository, so anyone could sign tokens for any tenant) and the development Access key (anyone could open
 * the console), an environment that calls itself development,
 * and a CORE_URL that is not https (change events carry phone numbers, the request the core's token).
 */
export function findUnsafeSettings(environment: EnvironmentConfig): string[] {
  const vars = environment.vars ?? {};
  const text = (name: string) => (typeof vars[name] === "string" ? (vars[name] as string) : undefined);
  const found: string[] = [];
  if (text("TRUSTED_DEV_JWKS")?.trim()) found.push("TRUSTED_DEV_JWKS must be empty (it would trust the development signing key, whose private half is in the repository)");
  if (text("ACCESS_DEV_JWKS")?.trim()) found.push("ACCESS_DEV_JWKS must be empty (it would trust the development Access key, whose private half is in the repository, for the console)");
  const environmentName = text("ENVIRONMENT")?.trim();
  if (!environmentName || isLocalDevelopment(environmentName)) {
    found.push(`ENVIRONMENT must name the environment, e.g. "staging" or "production" (it is ${environmentName ? `"${environmentName}"` : "not set"})`);
  }
  // Judged as deployed whatever ENVIRONMENT says: this environment is going to Cloudflare.
  const coreUrl = coreUrlProblem(text("CORE_URL"), undefined);
  if (coreUrl) found.push(coreUrl);
  return found;
}

export function findPlaceholders(environment: EnvironmentConfig): string[] {
  const found: string[] = [];
  for (const db of environment.d1_databases ?? []) {
    if (!db.database_id || ZERO_ID.test(db.database_id)) found.push(`D1 ${db.binding ?? "?"} database_id`);
  }
  for (const kv of environment.kv_namespaces ?? []) {
    if (!kv.id || ZERO_ID.test(kv.id)) found.push(`KV ${kv.binding ?? "?"} id`);
  }
  for (const route of environment.routes ?? []) {
    const pattern = typeof route === "string" ? route : (route.pattern ?? "");
    if (PLACEHOLDER_HOST.test(pattern)) found.push(`route ${pattern}`);
  }
  for (const [name, value] of Object.entries(environment.vars ?? {})) {
    if (typeof value === "string" && (/^https?:\/\//.test(value) || name.endsWith("_HOST")) && PLACEHOLDER_HOST.test(value)) found.push(`var ${name}`);
  }
  return found;
}
