// npm run deploy: what it runs, in which order, and what it refuses, from the real wrangler.toml.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { planDeploy, refusalOf, type WranglerConfig } from "../../src/tools/deploy/plan.ts";
import { wranglerStandInEnv } from "../support/wrangler-stand-in-path.ts";

const repoConfig = parse(readFileSync("wrangler.toml", "utf8")) as WranglerConfig & Record<string, any>;

/** The repository's production environment with real-looking ids and hosts in place of the placeholders. */
function filledIn(): WranglerConfig {
  const production = structuredClone(repoConfig.env!.production!) as Record<string, any>;
  production.d1_databases = production.d1_databases.map((d: object) => ({ ...d, database_id: "3f0a1c52-9d4e-4b7a-8e61-5c2d9b0f7a13" }));
  production.kv_namespaces = production.kv_namespaces.map((k: object) => ({ ...k, id: "9b1f3c5e7a8d4e2f9c6b0a1d3e5f7a9b" }));
  production.vars = Object.fromEntries(
    Object.entries(production.vars ?? {}).map(([k, v]) => [k, typeof v === "string" ? v.replace(/\.example/g, ".com") : v]),
  );
  if (production.routes) production.routes = production.routes.map((r: any) => ({ ...r, pattern: String(r.pattern).replace(/\.example/g, ".com") }));
  return { env: { production } };
}

describe("npm run deploy", () => {
  it("refuses to run without --env, naming the environments", () => {
    const plan = planDeploy([], repoConfig);
    expect(plan).toMatchObject({ ok: false, usage: true });
    expect(plan.ok || plan.message).toMatch(/--env is required \(one of: staging, production\)/);
  });

  it("refuses an environment wrangler.toml does not define", () => {
    expect(planDeploy(["--env", "prod"], repoConfig)).toMatchObject({ ok: false, message: expect.stringContaining('no environment "prod"') });
  });

  it("refuses the repository's placeholder ids and hosts, naming each", () => {
    const plan = planDeploy(["--env", "production"], repoConfig);
    expect(plan.ok).toBe(false);
    expect(plan.ok || plan.message).toContain("D1 DB database_id");
    expect(plan.ok || plan.message).toContain("KV TENANTS id");
    expect(plan.ok || plan.message).toContain("route admin.scim.telemessage.example/*");
    expect(plan.ok || plan.message).toContain("var CONSOLE_HOST");
    expect(plan.ok || plan.message).toContain("var GATEWAY_ORIGIN");
  });

  it("applies the remote D1 migrations to every shard of that environment, checks that none is behind, then deploys it", () => {
    expect(planDeploy(["--env", "production", "--message", "release 42"], filledIn())).toEqual({
      ok: true,
      env: "production",
      dryRun: false,
      steps: [
        { label: expect.any(String), args: ["d1", "migrations", "apply", "DB", "--remote", "--env", "production"] },
        { label: expect.any(String), args: ["d1", "migrations", "apply", "DB_2", "--remote", "--env", "production"] },
        { label: expect.any(String), args: ["d1", "migrations", "list", "DB", "--remote", "--env", "production"], check: "migrations-current", refusal: expect.stringContaining("shard DB is behind") },
        { label: expect.any(String), args: ["d1", "migrations", "list", "DB_2", "--remote", "--env", "production"], check: "migrations-current", refusal: expect.stringContaining("shard DB_2 is behind") },
        { label: expect.any(String), args: ["deploy", "--env", "production", "--message", "release 42"] },
      ],
    });
  });

  it("refuses an environment whose shards could drift apart: one without the migrations, or without DB", () => {
    const strayDir = filledIn();
    strayDir.env!.production!.d1_databases = strayDir.env!.production!.d1_databases!.map((d) => (d.binding === "DB_2" ? { ...d, migrations_dir: "other" } : d));
    expect(planDeploy(["--env", "production"], strayDir)).toMatchObject({ ok: false, message: expect.stringContaining('D1 DB_2 has migrations_dir "other"') });
    const noFirst = filledIn();
    noFirst.env!.production!.d1_databases = noFirst.env!.production!.d1_databases!.filter((d) => d.binding !== "DB");
    expect(planDeploy(["--env", "production"], noFirst)).toMatchObject({ ok: false, message: expect.stringContaining("no D1 binding DB") });
  });

  it.each([
    ["a non-empty TRUSTED_DEV_JWKS", { TRUSTED_DEV_JWKS: '{"keys":[]}' }, "TRUSTED_DEV_JWKS must be empty"],
    ["a non-empty ACCESS_DEV_JWKS (the console's development key)", { ACCESS_DEV_JWKS: '{"keys":[]}' }, "ACCESS_DEV_JWKS must be empty"],
    ["ENVIRONMENT development", { ENVIRONMENT: "development" }, 'ENVIRONMENT must name the environment, e.g. "staging" or "production" (it is "development")'],
    ["no ENVIRONMENT", { ENVIRONMENT: undefined }, "ENVIRONMENT must name the environment"],
    ["an http CORE_URL", { CORE_URL: "http://core.telemessage.com" }, "CORE_URL must be https: outside local development"],
  ] as [string, Record<string, string | undefined>, string][])("refuses an environment with %s, for a dry run too, saying which setting", (_what, change, message) => {
    const config = filledIn();
    const vars: Record<string, unknown> = { ...config.env!.production!.vars, ...change };
    for (const [name, value] of Object.entries(change)) if (value === undefined) delete vars[name];
    config.env!.production!.vars = vars;
    for (const argv of [["--env", "production"], ["--env", "production", "--dry-run"]]) {
      const plan = planDeploy(argv, config);
      expect(plan).toMatchObject({ ok: false, usage: false });
      expect(plan.ok || plan.message).toContain(message);
    }
  });

  it("refuses the repository's own development settings were they deployed as an environment", () => {
    const local = { env: { production: { ...filledIn().env!.production!, vars: repoConfig.vars } } } as WranglerConfig;
    const plan = planDeploy(["--env", "production", "--dry-run"], local);
    expect(plan.ok || plan.message).toContain("TRUSTED_DEV_JWKS must be empty");
    expect(plan.ok || plan.message).toContain("ACCESS_DEV_JWKS must be empty");
    expect(plan.ok || plan.message).toContain("ENVIRONMENT must name the environment");
  });

  it("passes --dry-run through to wrangler deploy, migrates nothing, and needs no real ids", () => {
    const plan = planDeploy(["--env", "staging", "--dry-run", "--outdir", "dist"], repoConfig);
    expect(plan).toEqual({
      ok: true,
      env: "staging",
      dryRun: true,
      steps: [{ label: expect.any(String), args: ["deploy", "--env", "staging", "--dry-run", "--outdir", "dist"] }],
    });
  });
});

describe("wrangler.toml environments", () => {
  // Cloudflare does not inherit bindings or vars into an environment: each must declare its own.
  const bindingNames = (config: Record<string, any>) => ({
    d1: (config.d1_databases ?? []).map((d: any) => d.binding).sort(),
    kv: (config.kv_namespaces ?? []).map((k: any) => k.binding).sort(),
    queues: (config.queues?.producers ?? []).map((q: any) => q.binding).sort(),
    consumers: (config.queues?.consumers ?? []).length,
    ratelimits: (config.ratelimits ?? []).map((r: any) => r.name).sort(),
    vars: Object.keys(config.vars ?? {}).sort(),
  });

  it.each(["staging", "production"])("%s declares every binding and var the local configuration has", (name) => {
    const env = repoConfig.env?.[name] as Record<string, any>;
    expect(bindingNames(env)).toEqual(bindingNames(repoConfig));
  });

  it.each(["staging", "production"])("%s uses its own D1 database, KV namespace and queues, not another's", (name) => {
    const env = repoConfig.env?.[name] as Record<string, any>;
    const others = ["staging", "production"].filter((n) => n !== name).map((n) => repoConfig.env?.[n] as Record<string, any>);
    for (const other of [repoConfig, ...others]) {
      expect(env.d1_databases[0].database_name).not.toBe(other.d1_databases[0].database_name);
      expect(env.kv_namespaces[0].id).not.toBe(other.kv_namespaces[0].id);
      expect(env.queues.producers[0].queue).not.toBe(other.queues.producers[0].queue);
    }
  });
});

// The deploy reads `wrangler d1 migrations list` to decide whether it goes on: db:migrate (migrate.ts, as a
// developer runs it) and the checks run here through the wrangler stand-in on a throwaway local D1; that
// real wrangler's list reads "behind" before the migrations and "current" after, through the same
// migrationsCurrent, is held in test/node/wrangler-contract.test.ts.
describe("the deploy's check that no shard is behind", { timeout: 30_000 }, () => {
  it("stops on a shard with a migration still to apply, and goes on once db:migrate has applied them to every shard", () => {
    const dir = mkdtempSync(join(tmpdir(), "deploy-check-"));
    try {
      cpSync("wrangler.toml", join(dir, "wrangler.toml"));
      cpSync("migrations", join(dir, "migrations"), { recursive: true });
      const env = wranglerStandInEnv(dir);
      const wrangler = (...args: string[]) => {
        const result = spawnSync("wrangler", [...args, "--local"], { cwd: dir, encoding: "utf8", env });
        expect(result.status, result.stderr).toBe(0);
        return result.stdout;
      };
      const plan = planDeploy(["--env", "production"], filledIn());
      const checks = plan.ok ? plan.steps.filter((s) => s.check) : [];
      expect(checks.map((c) => c.args[3])).toEqual(["DB", "DB_2"]);
      expect(refusalOf(checks[1]!, wrangler("d1", "migrations", "list", "DB_2"))).toMatch(/shard DB_2 is behind/);
      // npm run db:migrate, as a developer runs it: every shard of the (local) environment.
      const migrate = spawnSync(process.execPath, [join(process.cwd(), "src/tools/deploy/migrate.ts")], { cwd: dir, encoding: "utf8", env });
      expect(migrate.status, migrate.stderr).toBe(0);
      for (const check of checks) expect(refusalOf(check, wrangler("d1", "migrations", "list", check.args[3]!)), check.args[3]).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
