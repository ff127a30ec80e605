// Safe production writes (issue 14 §5): every `--remote --env production` write of `npm run tenants` and
// `npm run outbox -- redrive` shows the target and the change and asks first (--yes for scripts); --env is
// checked against wrangler.toml before wrangler runs; an unknown option gets "did you mean"; wrangler's
// "no such table" becomes the migrate command. In-process through the CLIs' own argv handling, and once
// end to end: main.ts with a piped stdin answer, against the wrangler stand-in first on PATH
// (test/support/wrangler-stand-in.mjs), since this machine cannot reach Cloudflare.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { runOutboxCli, EXIT_FAILED as OUTBOX_REFUSED, EXIT_OK as OUTBOX_OK, EXIT_USAGE as OUTBOX_USAGE } from "../../src/tools/outbox/cli.ts";
import { EXIT_OK, EXIT_REFUSED, EXIT_USAGE, runTenantsCli } from "../../src/tools/tenants/cli.ts";
import { TenantRecord, tenantKey } from "../../src/tenants/record.ts";
import { readWranglerConfig } from "../../src/tools/wrangler/config.ts";
import { executeD1, queryD1 } from "../../src/tools/wrangler/d1.ts";
import { environmentsOf } from "../../src/tools/wrangler/environments.ts";
import type { WranglerTarget } from "../../src/tools/wrangler/run.ts";
import { createMemoryStore } from "../support/memory-store.ts";
import { createSqliteExecute, createSqliteLedger } from "../support/sqlite-ledger.ts";
import { wranglerStandInEnv } from "../support/wrangler-stand-in-path.ts";

const root = new URL("../..", import.meta.url).pathname;
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const RECORD = {
  accountId: "TM-1001",
  name: "Contoso Ltd",
  managers: [{ key: "ann-manager", name: "Ann Manager" }],
  enabled: true,
  createdAt: "2026-11-01T00:00:00.000Z",
  updatedAt: "2026-11-01T00:00:00.000Z",
};
const PRODUCTION = ["--remote", "--env", "production"];
/** The project's own wrangler.toml: staging and production. */
const environments = () => environmentsOf(readWranglerConfig(join(root, "wrangler.toml")));

function tenantsHarness(answer: boolean) {
  const store = createMemoryStore([{ key: tenantKey(TENANT), value: JSON.stringify(RECORD) }]);
  const ledger = createSqliteLedger();
  const out: string[] = [];
  const err: string[] = [];
  const questions: string[] = [];
  const targets: WranglerTarget[] = [];
  const run = (...argv: string[]) =>
    runTenantsCli(argv, {
      openLedger: () => ledger,
      actor: async () => "ann.am@telemessage.example",
      openStore: (target) => {
        targets.push(target);
        return store;
      },
      environments,
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      confirm: async (question) => {
        questions.push(question);
        return answer;
      },
      now: () => new Date("2026-11-28T10:00:00.000Z"),
    });
  const stored = async () => {
    const raw = await store.get(tenantKey(TENANT));
    return raw === undefined ? undefined : TenantRecord.parse(JSON.parse(raw));
  };
  return { run, stored, questions, targets, stdout: () => out.join(""), stderr: () => err.join("") };
}

const WRITES: [string, string[], RegExp][] = [
  ["add (a new tenant)", ["add", "0a0a0a0a-0000-4000-8000-00000000000a", "--account", "TM-2", "--name", "Fabrikam", "--manager", "Cy"], /Add tenant 0a0a0a0a-0000-4000-8000-00000000000a to the Cloudflare allow-list of environment "production"\.\n[\s\S]*managers\s+\(none\)\s+->\s+Cy/],
  ["add --force", ["add", TENANT, "--account", "TM-2002", "--name", "Contoso", "--manager", "Cy", "--force"], /Replace the whole record of tenant [\s\S]*production[\s\S]*accountId\s+TM-1001\s+->\s+TM-2002/],
  ["update", ["update", TENANT, "--name", "Contoso Group"], /Update tenant [\s\S]*production[\s\S]*name\s+Contoso Ltd\s+->\s+Contoso Group/],
  ["disable", ["disable", TENANT], /Disable tenant 72f988bf[\s\S]*production"?: its calls will answer 403\.\n\s+enabled\s+true\s+->\s+false/],
  ["remove", ["remove", TENANT], /Remove tenant 72f988bf[\s\S]*production/],
  ["issue-token --force", ["issue-token", TENANT, "--force", "--auth", "both"], /Issue a new secret token for tenant [\s\S]*production/],
];

describe("tenants: a write to production", () => {
  it.each(WRITES)("%s shows the target and the change, asks, and on no writes nothing and exits 1", async (_name, argv, shown) => {
    const cli = tenantsHarness(false);
    const before = await cli.stored();
    expect(await cli.run(...argv, ...PRODUCTION)).toBe(EXIT_REFUSED);
    expect(cli.questions, cli.stderr()).toHaveLength(1);
    expect(cli.questions[0]).toMatch(shown);
    expect(cli.questions[0]).toMatch(/This is PRODUCTION\. Write it\? \[y\/N\] $/);
    expect(await cli.stored()).toEqual(before);
    expect(cli.stderr()).toContain("Nothing was changed.");
    expect(cli.stdout()).toBe("");
  });

  it.each(WRITES)("%s is made after a yes", async (_name, argv) => {
    const cli = tenantsHarness(true);
    const before = await cli.stored();
    expect(await cli.run(...argv, ...PRODUCTION), cli.stderr()).toBe(EXIT_OK);
    expect(cli.questions).toHaveLength(1);
    if (argv[0] !== "add" || argv.includes("--force")) expect(await cli.stored()).not.toEqual(before);
    expect(cli.stdout()).toContain('the Cloudflare allow-list of environment "production"');
  });

  it("is made without a question with --yes, and --json without --yes is refused before anything is written", async () => {
    const cli = tenantsHarness(false);
    expect(await cli.run("disable", TENANT, ...PRODUCTION, "--json")).toBe(EXIT_USAGE);
    expect(cli.stderr()).toContain("needs --yes");
    expect((await cli.stored())?.enabled).toBe(true);
    expect(await cli.run("disable", TENANT, ...PRODUCTION, "--yes")).toBe(EXIT_OK);
    expect(cli.questions).toEqual([]);
    expect((await cli.stored())?.enabled).toBe(false);
  });

  it("asks nothing at all with --yes, not even the switch to secret-token-only, and keeps the auth mode", async () => {
    const cli = tenantsHarness(true);
    expect(await cli.run("issue-token", TENANT, ...PRODUCTION, "--yes")).toBe(EXIT_OK);
    expect(cli.questions).toEqual([]);
    expect((await cli.stored())?.secretTokenSha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await cli.stored())?.authMode).toBeUndefined();
  });

  it("issues the very token whose hash the question showed", async () => {
    const cli = tenantsHarness(true);
    expect(await cli.run("issue-token", TENANT, "--force", "--auth", "both", ...PRODUCTION)).toBe(EXIT_OK);
    const hash = (await cli.stored())?.secretTokenSha256;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(cli.questions[0]).toContain(`issued (sha256 ${hash?.slice(0, 8)}...)`);
  });

  it("asks nothing in staging, nor for a change that changes nothing", async () => {
    const cli = tenantsHarness(false);
    expect(await cli.run("update", TENANT, "--name", "Contoso Group", "--remote", "--env", "staging")).toBe(EXIT_OK);
    expect(await cli.run("enable", TENANT, ...PRODUCTION)).toBe(EXIT_OK);
    expect(cli.questions).toEqual([]);
    expect(cli.stdout()).toContain("Nothing to change");
  });
});

describe("tenants: --env and options checked before wrangler runs", () => {
  it("refuses an environment wrangler.toml does not declare, naming the closest one, and opens no store", async () => {
    const cli = tenantsHarness(true);
    expect(await cli.run("disable", TENANT, "--remote", "--env", "prodution")).toBe(EXIT_USAGE);
    expect(cli.stderr()).toContain('--env "prodution" is not an environment of wrangler.toml (staging, production): did you mean --env production?');
    expect(cli.targets).toEqual([]);
  });

  it("answers an unknown option with the one it likely meant, and an unknown command too", async () => {
    const cli = tenantsHarness(true);
    expect(await cli.run("add", TENANT, "--account", "TM-1", "--name", "C", "--manger", "Ann")).toBe(EXIT_USAGE);
    expect(cli.stderr()).toContain("unknown option --manger: did you mean --manager?");
    expect(await cli.run("disabel", TENANT)).toBe(EXIT_USAGE);
    expect(cli.stderr()).toContain('unknown command "disabel": did you mean disable?');
    expect(cli.targets).toEqual([]);
  });
});

describe("outbox redrive --all in production", () => {
  function outboxHarness(answer: boolean) {
    const queries: string[] = [];
    const questions: string[] = [];
    let stdout = "";
    let stderr = "";
    const run = async (...argv: string[]) => {
      const code = await runOutboxCli(argv, {
        query: async <Row>(_target: unknown, sql: string) => {
          queries.push(sql);
          return (sql.startsWith("SELECT count(*)") ? [{ events: 7, tenants: 2 }] : []) as Row[];
        },
        shards: () => ["DB"],
        environments,
        confirm: async (question) => {
          questions.push(question);
          return answer;
        },
        stdout: (text) => (stdout += text),
        stderr: (text) => (stderr += text),
      });
      return { code, queries, questions, stdout, stderr };
    };
    return run;
  }

  it("says how many events and tenants it sends back, asks, and on no redrives nothing", async () => {
    const result = await outboxHarness(false)("redrive", "--all", ...PRODUCTION);
    expect(result.code).toBe(OUTBOX_REFUSED);
    expect(result.questions[0]).toMatch(/^Redrive 7 failed events \(every tenant; 2 tenants\) in [\s\S]*production[\s\S]*Redrive them\? \[y\/N\] $/);
    expect(result.queries.some((sql) => sql.startsWith("UPDATE"))).toBe(false);
    expect(result.stderr).toContain("Nothing was redriven.");
  });

  it("redrives after a yes, or at once with --yes; --json needs --yes", async () => {
    const yes = await outboxHarness(true)("redrive", "--all", ...PRODUCTION);
    expect(yes.code).toBe(OUTBOX_OK);
    expect(yes.queries.at(-1)).toMatch(/^UPDATE change_events SET state = 'pending'/);
    const scripted = await outboxHarness(false)("redrive", "--all", ...PRODUCTION, "--yes");
    expect(scripted).toMatchObject({ code: OUTBOX_OK, questions: [] });
    expect(scripted.queries).toHaveLength(1);
    const json = await outboxHarness(true)("redrive", "--all", ...PRODUCTION, "--json");
    expect(json).toMatchObject({ code: OUTBOX_USAGE, queries: [] });
  });

  it("refuses an unknown --env and option before any SQL", async () => {
    const env = await outboxHarness(true)("redrive", "--all", "--remote", "--env", "stagin");
    expect(env).toMatchObject({ code: OUTBOX_USAGE, queries: [] });
    expect(env.stderr).toContain("did you mean --env staging?");
    const option = await outboxHarness(true)("redrive", "--al");
    expect(option.stderr).toContain("did you mean --all?");
  });
});

describe("wrangler's no such table", () => {
  const missing = async () => ({ status: 1, stdout: "", stderr: "✘ [ERROR] no such table: tenant_activity_counts: SQLITE_ERROR" });

  it("becomes the command that applies the migrations, locally and remotely", async () => {
    await expect(executeD1({ remote: false, persistTo: "/tmp/state" }, ["SELECT 1"], missing)).rejects.toThrow(
      'The local D1 database DB has no table "tenant_activity_counts": its migrations are not applied. Run `npm run db:migrate -- --persist-to /tmp/state`',
    );
    await expect(queryD1({ remote: true, env: "production" }, "SELECT 1", missing)).rejects.toThrow(
      "Run `npx wrangler d1 migrations apply DB --remote --env production`",
    );
  });
});

describe("end to end: npm run tenants with a piped answer", () => {
  const dir = mkdtempSync(join(tmpdir(), "production-writes-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, "wrangler.log");
  const state = join(dir, "state");
  // The wrangler stand-in (test/support/wrangler-stand-in.mjs) first on PATH: its KV and D1 (the audit
  // trail) in `state` for --remote too, each call logged, so the test sees what reached "Cloudflare".
  const env = wranglerStandInEnv(dir, { WRANGLER_STAND_IN_STATE: state, WRANGLER_STAND_IN_LOG: log });
  const kvFile = join(state, "stand-in", "kv-TENANTS.sqlite");
  const d1File = join(state, "stand-in", "d1-DB.sqlite");

  const tenants = (input: string, ...args: string[]) => {
    rmSync(state, { recursive: true, force: true });
    mkdirSync(join(state, "stand-in"), { recursive: true });
    const kv = new DatabaseSync(kvFile);
    kv.exec("CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    kv.prepare("INSERT INTO kv (key, value) VALUES (?, ?)").run(tenantKey(TENANT), JSON.stringify(RECORD));
    kv.close();
    createSqliteExecute(d1File).db.close();
    writeFileSync(log, "");
    const result = spawnSync(process.execPath, [join(root, "src/tools/tenants/main.ts"), ...args], { cwd: root, input, encoding: "utf8", env });
    const calls = readFileSync(log, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as string[]);
    const stored = new DatabaseSync(kvFile);
    const record = JSON.parse(stored.prepare("SELECT value FROM kv WHERE key = ?").get(tenantKey(TENANT))!.value as string);
    stored.close();
    const d1 = new DatabaseSync(d1File);
    const audit = d1.prepare("SELECT version, actor, source, action FROM tenant_audit").all();
    d1.close();
    return { ...result, calls, record, audit };
  };

  it("disables after 'y' on stdin, and writes nothing after 'n' or a closed stdin", { timeout: 60_000 }, () => {
    const refused = tenants("n\n", "disable", TENANT, ...PRODUCTION);
    expect(refused.status, refused.stderr).toBe(EXIT_REFUSED);
    expect(refused.stderr).toMatch(/Disable tenant 72f988bf-86f1-41af-91ab-2d7cd011db47 on the Cloudflare allow-list of environment "production"[\s\S]*enabled\s+true\s+->\s+false[\s\S]*This is PRODUCTION\. Write it\? \[y\/N\]/);
    expect(refused.calls.filter((c) => c[2] === "put")).toEqual([]);
    expect(refused.record.enabled).toBe(true);
    expect(refused.audit, "a refused write leaves no audit entry (the preview's commit is staged)").toEqual([]);

    const closed = tenants("", "disable", TENANT, ...PRODUCTION);
    expect(closed.status).toBe(EXIT_REFUSED);
    expect(closed.record.enabled).toBe(true);

    const confirmed = tenants("y\n", "disable", TENANT, ...PRODUCTION);
    expect(confirmed.status, confirmed.stderr).toBe(EXIT_OK);
    expect(confirmed.calls.filter((c) => c[2] === "put")).toEqual([expect.arrayContaining(["put", tenantKey(TENANT), "--remote", "--env", "production"])]);
    expect(confirmed.record.enabled).toBe(false);
    expect(confirmed.audit.map((row) => [row.version, row.actor, row.source, row.action])).toEqual([[1, "ann.am@telemessage.example", "cli", "disabled"]]);
    expect(confirmed.stdout).toContain('Disabled tenant 72f988bf-86f1-41af-91ab-2d7cd011db47 on the Cloudflare allow-list of environment "production"');
  });

  it("checks --env against wrangler.toml before wrangler is called at all", { timeout: 60_000 }, () => {
    const result = tenants("y\n", "disable", TENANT, "--remote", "--env", "prod");
    expect(result.status).toBe(EXIT_USAGE);
    expect(result.stderr).toContain("did you mean --env production?");
    expect(result.calls).toEqual([]);
  });
});
