// `npm run tenants`: the account managers' commands, run through the CLI's own argv handling against the
// in-memory store (which keeps the same contract as the wrangler store; tenant-store-contract.test.ts).
import { describe, expect, it } from "vitest";
import { createSqliteLedger } from "../support/sqlite-ledger.ts";
import { secretTokenMatches } from "../../src/tenants/secret-token.ts";
import { runTenantsCli, EXIT_OK, EXIT_REFUSED, EXIT_USAGE } from "../../src/tools/tenants/cli.ts";
import { PROPAGATION_NOTE } from "../../src/tools/tenants/help.ts";
import type { WranglerTarget } from "../../src/tools/wrangler/kv-store.ts";
import { createMemoryStore } from "../support/memory-store.ts";
import { TenantRecord, tenantKey } from "../../src/tenants/record.ts";
import type { TenantStore } from "../../src/tenants/store.ts";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const ADD = ["add", TENANT, "--account", "TM-1001", "--name", "Contoso Ltd", "--manager", "Ann Manager", "--manager", "Bob Boss"];

function harness(options: { answer?: boolean; store?: TenantStore; actor?: () => Promise<string> } = {}) {
  const store = options.store ?? createMemoryStore();
  const out: string[] = [];
  const err: string[] = [];
  const targets: WranglerTarget[] = [];
  const questions: string[] = [];
  let clock = Date.parse("2026-11-28T10:00:00.000Z");
  const ledger = createSqliteLedger();
  const run = (...argv: string[]) =>
    runTenantsCli(argv, {
      openStore: (target) => {
        targets.push(target);
        return store;
      },
      openLedger: () => ledger,
      actor: options.actor ?? (async () => "ann.am@telemessage.example"),
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      confirm: async (question) => {
        questions.push(question);
        return options.answer ?? false;
      },
      now: () => new Date((clock += 1000)),
    });
  const stored = async (tenant = TENANT) => {
    const raw = await store.get(tenantKey(tenant));
    return raw === undefined ? undefined : TenantRecord.parse(JSON.parse(raw));
  };
  const reset = () => {
    out.length = 0;
    err.length = 0;
  };
  return { store, run, stored, targets, questions, reset, stdout: () => out.join(""), stderr: () => err.join("") };
}

describe("tenants add", () => {
  it("approves a tenant under its lower-case id, in the Worker's format, and prints every field it set", async () => {
    const cli = harness();
    expect(await cli.run("add", TENANT.toUpperCase(), ...ADD.slice(2))).toBe(EXIT_OK);
    expect(await cli.stored()).toEqual({
      accountId: "TM-1001",
      name: "Contoso Ltd",
      managers: [
        { key: "ann-manager", name: "Ann Manager" },
        { key: "bob-boss", name: "Bob Boss" },
      ],
      enabled: true,
      createdAt: "2026-11-28T10:00:01.000Z",
      updatedAt: "2026-11-28T10:00:01.000Z",
    });
    expect(cli.stdout()).toContain(`Added tenant ${TENANT} to the local allow-list.`);
    expect(cli.stdout()).toMatch(/managers\s+\(none\)\s+->\s+Ann Manager, Bob Boss/);
  });

  it("refuses to overwrite an existing tenant without --force, and replaces it with --force", async () => {
    const cli = harness();
    await cli.run(...ADD);
    cli.reset();
    expect(await cli.run("add", TENANT, "--account", "TM-2002", "--name", "Contoso", "--manager", "Cy")).toBe(EXIT_REFUSED);
    expect(cli.stderr()).toContain("already on the allow-list");
    expect((await cli.stored())?.accountId).toBe("TM-1001");
    expect(await cli.run("add", TENANT, "--account", "TM-2002", "--name", "Contoso", "--manager", "Cy", "--force")).toBe(EXIT_OK);
    expect(await cli.stored()).toMatchObject({ accountId: "TM-2002", managers: [{ key: "cy", name: "Cy" }] });
    expect(cli.stdout()).toMatch(/accountId\s+TM-1001\s+->\s+TM-2002/);
  });

  it.each([
    ["a tenant id that is not a GUID", ["add", "contoso.onmicrosoft.com", "--account", "TM-1", "--name", "C", "--manager", "A"], "GUID"],
    ["manager names equal but for case", [...ADD, "--manager", " ann manager "], "manager names must be unique"],
    ["an empty account id", ["add", TENANT, "--account", " ", "--name", "C", "--manager", "A"], "accountId is required"],
    ["an empty manager name", ["add", TENANT, "--account", "TM-1", "--name", "C", "--manager", ""], "manager name cannot be empty"],
  ])("validates with the Worker's schema before writing: refuses %s", async (_what, argv, message) => {
    const cli = harness();
    expect(await cli.run(...argv)).toBe(EXIT_REFUSED);
    expect(cli.stderr()).toContain(message);
    expect(await cli.store.list("")).toEqual([]);
  });

  it("needs --account, --name and a manager (or --any-manager), and says which is missing", async () => {
    const cli = harness();
    expect(await cli.run("add", TENANT, "--name", "C", "--manager", "A")).toBe(EXIT_USAGE);
    expect(cli.stderr()).toContain("--account");
    expect(await cli.run("add", TENANT, "--account", "TM-1", "--name", "C")).toBe(EXIT_USAGE);
    expect(cli.stderr()).toContain("--any-manager");
    expect(await cli.run("add", TENANT, "--account", "TM-1", "--name", "C", "--any-manager")).toBe(EXIT_OK);
    expect((await cli.stored())?.managers).toBeUndefined();
  });
});

describe("tenants update, disable, enable", () => {
  it("adds and removes managers ignoring case, and prints the old and new list", async () => {
    const cli = harness();
    await cli.run(...ADD);
    cli.reset();
    expect(await cli.run("update", TENANT, "--add-manager", "Cy Chief", "--remove-manager", "BOB BOSS")).toBe(EXIT_OK);
    expect((await cli.stored())?.managers).toEqual([
      { key: "ann-manager", name: "Ann Manager" },
      { key: "bob-boss", name: "Bob Boss", retiredAt: "2026-11-28T10:00:02.000Z" },
      { key: "cy-chief", name: "Cy Chief" },
    ]);
    expect(cli.stdout()).toMatch(/managers\s+Ann Manager, Bob Boss\s+->\s+Ann Manager, Cy Chief; retired: Bob Boss/);
  });

  it("refuses to remove the last manager or one that is not listed", async () => {
    const cli = harness();
    await cli.run(...ADD);
    expect(await cli.run("update", TENANT, "--remove-manager", "Ann Manager", "--remove-manager", "Bob Boss")).toBe(EXIT_REFUSED);
    expect(await cli.run("update", TENANT, "--remove-manager", "Nobody")).toBe(EXIT_REFUSED);
    expect(cli.stderr()).toContain('Not a manager of this tenant: "Nobody"');
    expect((await cli.stored())?.managers).toEqual([
      { key: "ann-manager", name: "Ann Manager" },
      { key: "bob-boss", name: "Bob Boss" },
    ]);
  });

  it("disables and enables, keeps createdAt, and writes nothing when nothing changes", async () => {
    const cli = harness();
    await cli.run(...ADD);
    expect(await cli.run("disable", TENANT)).toBe(EXIT_OK);
    const disabled = await cli.stored();
    expect(disabled).toMatchObject({ enabled: false, createdAt: "2026-11-28T10:00:01.000Z", updatedAt: "2026-11-28T10:00:02.000Z" });
    cli.reset();
    expect(await cli.run("disable", TENANT)).toBe(EXIT_OK);
    expect(cli.stdout()).toContain("Nothing to change");
    expect(await cli.stored()).toEqual(disabled);
    expect(await cli.run("enable", TENANT)).toBe(EXIT_OK);
    expect((await cli.stored())?.enabled).toBe(true);
  });

  it("says a tenant is not listed instead of creating it", async () => {
    const cli = harness();
    expect(await cli.run("disable", TENANT)).toBe(EXIT_REFUSED);
    expect(cli.stderr()).toContain("is not on the allow-list");
    expect(await cli.store.list("")).toEqual([]);
  });
});

describe("tenants remove", () => {
  it("asks first and keeps the tenant unless the answer is yes", async () => {
    const cli = harness({ answer: false });
    await cli.run(...ADD);
    expect(await cli.run("remove", TENANT)).toBe(EXIT_REFUSED);
    expect(cli.questions[0]).toContain("Contoso Ltd, account TM-1001");
    expect(await cli.stored()).toBeDefined();
  });

  it("removes after a yes, or at once with --yes, and prints what was removed", async () => {
    const asked = harness({ answer: true });
    await asked.run(...ADD);
    expect(await asked.run("remove", TENANT)).toBe(EXIT_OK);
    expect(await asked.stored()).toBeUndefined();

    const scripted = harness();
    await scripted.run(...ADD);
    expect(await scripted.run("remove", TENANT, "--yes")).toBe(EXIT_OK);
    expect(scripted.questions).toEqual([]);
    expect(await scripted.stored()).toBeUndefined();
    expect(scripted.stdout()).toMatch(/accountId\s+TM-1001\s+->\s+\(none\)/);
  });

  it("refuses --json without --yes, since a script cannot answer", async () => {
    const cli = harness({ answer: true });
    await cli.run(...ADD);
    expect(await cli.run("remove", TENANT, "--json")).toBe(EXIT_USAGE);
    expect(await cli.stored()).toBeDefined();
  });
});

describe("tenants issue-token and revoke-token", () => {
  it("prints the token once and stores only its SHA-256, which the gateway's check accepts", async () => {
    const cli = harness();
    await cli.run(...ADD);
    cli.reset();
    expect(await cli.run("issue-token", TENANT)).toBe(EXIT_OK);
    const token = /tm1\.[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}/.exec(cli.stdout())?.[0];
    expect(token, cli.stdout()).toBeDefined();
    const record = await cli.stored();
    expect(record?.secretTokenSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await secretTokenMatches(token as string, record?.secretTokenSha256 as string)).toBe(true);
    const everythingStored = JSON.stringify(await cli.store.list(""));
    expect(everythingStored).not.toContain((token as string).split(".")[2]);

    cli.reset();
    expect(await cli.run("show", TENANT)).toBe(EXIT_OK);
    expect(cli.stdout()).not.toContain(token);
  });

  it("refuses to replace a token without --force, replaces it with --force, and revokes it", async () => {
    const cli = harness();
    await cli.run(...ADD);
    await cli.run("issue-token", TENANT);
    const first = (await cli.stored())?.secretTokenSha256;
    expect(await cli.run("issue-token", TENANT)).toBe(EXIT_REFUSED);
    expect(cli.stderr()).toContain("already has a secret token");
    expect(await cli.run("issue-token", TENANT, "--force")).toBe(EXIT_OK);
    expect((await cli.stored())?.secretTokenSha256).not.toBe(first);
    expect(await cli.run("revoke-token", TENANT)).toBe(EXIT_OK);
    expect((await cli.stored())?.secretTokenSha256).toBeUndefined();
  });
});

describe("tenants auth modes", () => {
  it("sets the auth mode with update --auth, shows it, and refuses a mode it does not know", async () => {
    const cli = harness();
    await cli.run(...ADD);
    cli.reset();
    expect(await cli.run("update", TENANT, "--auth", "entra-token")).toBe(EXIT_OK);
    expect((await cli.stored())?.authMode).toBe("entra-token");
    expect(cli.stdout()).toMatch(/authMode\s+\(none\)\s+->\s+entra-token/);
    cli.reset();
    await cli.run("show", TENANT);
    expect(cli.stdout()).toMatch(/Auth mode\s+entra-token \(only Entra's signed token/);
    expect(await cli.run("update", TENANT, "--auth", "mtls")).toBe(EXIT_USAGE);
    expect(cli.stderr()).toContain("--auth takes one of entra-token, secret-token, both");
  });

  it("refuses --auth secret-token for a tenant without a secret token, which would refuse every call", async () => {
    const cli = harness();
    await cli.run(...ADD);
    expect(await cli.run("update", TENANT, "--auth", "secret-token")).toBe(EXIT_REFUSED);
    expect(cli.stderr()).toContain("has no secret token");
    expect((await cli.stored())?.authMode).toBeUndefined();
  });

  it("issue-token asks whether to accept only the new token, says what that does, and switches on yes in one write", async () => {
    const cli = harness({ answer: true });
    await cli.run(...ADD);
    cli.reset();
    expect(await cli.run("issue-token", TENANT)).toBe(EXIT_OK);
    expect(cli.questions).toHaveLength(1);
    const question = (cli.questions[0] as string).replace(/\s+/g, " ");
    expect(question).toContain("auth mode secret-token");
    expect(question).toContain("every non-gallery SCIM app");
    expect(question).toContain("gets 401 until the admin has pasted the token");
    const record = await cli.stored();
    expect(record).toMatchObject({ authMode: "secret-token", secretTokenSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(cli.stdout()).toMatch(/authMode\s+\(none\)\s+->\s+secret-token/);
    expect(cli.stdout()).not.toContain("--auth secret-token`");
  });

  it("issue-token answered no keeps Entra's tokens and says how to switch later", async () => {
    const cli = harness({ answer: false });
    await cli.run(...ADD);
    cli.reset();
    expect(await cli.run("issue-token", TENANT)).toBe(EXIT_OK);
    expect((await cli.stored())?.authMode).toBeUndefined();
    expect(cli.stdout()).toContain(`npm run tenants -- update ${TENANT} --auth secret-token`);
  });

  it("issue-token --json asks nothing and says how to switch in its output; --auth decides without asking", async () => {
    const cli = harness({ answer: true });
    await cli.run(...ADD);
    cli.reset();
    expect(await cli.run("issue-token", TENANT, "--json")).toBe(EXIT_OK);
    expect(cli.questions).toEqual([]);
    const output = JSON.parse(cli.stdout());
    expect(output.advice).toContain(`npm run tenants -- update ${TENANT} --auth secret-token`);
    expect((await cli.stored())?.authMode).toBeUndefined();

    cli.reset();
    expect(await cli.run("issue-token", TENANT, "--force", "--auth", "secret-token")).toBe(EXIT_OK);
    expect(cli.questions).toEqual([]);
    expect((await cli.stored())?.authMode).toBe("secret-token");
  });

  it("refuses revoke-token while the tenant accepts only its secret token, and says what to do instead", async () => {
    const cli = harness();
    await cli.run(...ADD);
    await cli.run("issue-token", TENANT, "--auth", "secret-token");
    const before = await cli.stored();
    expect(await cli.run("revoke-token", TENANT)).toBe(EXIT_REFUSED);
    expect(cli.stderr()).toContain("issue-token --force");
    expect(cli.stderr()).toContain("--auth entra-token");
    expect(await cli.stored()).toEqual(before);
  });
});

describe("records written by a newer version", () => {
  const NEWER = JSON.stringify({ accountId: "TM-1001", name: "Contoso Ltd", enabled: true, residency: 7 });

  it("shows such a record, naming the fields it does not know, and refuses to edit it rather than drop them", async () => {
    const store = createMemoryStore([{ key: tenantKey(TENANT), value: NEWER }]);
    const cli = harness({ store });
    expect(await cli.run("show", TENANT)).toBe(EXIT_OK);
    expect(cli.stdout()).toMatch(/Other fields\s+residency \(written by a newer version/);
    for (const argv of [["update", TENANT, "--name", "Renamed"], ["disable", TENANT], ["issue-token", TENANT, "--json"]]) {
      expect(await cli.run(...argv)).toBe(EXIT_REFUSED);
    }
    expect(await cli.run("issue-token", TENANT)).toBe(EXIT_REFUSED);
    expect(cli.questions, "nothing to ask about a token that will not be issued").toEqual([]);
    expect(cli.stderr()).toContain("fields this version of the tool does not know (residency)");
    expect(await store.get(tenantKey(TENANT))).toBe(NEWER);
  });

  it("never writes a field the record format does not define", async () => {
    expect(TenantRecord.safeParse({ accountId: "TM-1001", name: "Contoso Ltd", enabled: true, residency: 7 }).success).toBe(false);
    const cli = harness();
    expect(await cli.run(...ADD, "--residency", "7")).toBe(EXIT_USAGE);
    expect(await cli.run(...ADD, "--shard", "7"), "a shard is a D1 binding name").toBe(EXIT_USAGE);
    expect(await cli.store.list("")).toEqual([]);
  });
});

describe("tenants output and targets", () => {
  it("prints --json for scripts, with the token in it, and errors as JSON with a non-zero exit", async () => {
    const cli = harness();
    await cli.run(...ADD, "--json");
    const added = JSON.parse(cli.stdout());
    expect(added).toMatchObject({ action: "added", tenantId: TENANT, record: { accountId: "TM-1001" } });
    cli.reset();
    await cli.run("issue-token", TENANT, "--json");
    expect(JSON.parse(cli.stdout()).token).toMatch(/^tm1\./);
    cli.reset();
    expect(await cli.run("show", "72f988bf-0000-4000-8000-000000000000", "--json")).toBe(EXIT_REFUSED);
    expect(JSON.parse(cli.stdout())).toEqual({ error: { code: "not_found", message: expect.stringContaining("not on the allow-list") } });
  });

  it("lists tenants, marking a record the gateway cannot read as INVALID", async () => {
    const store = createMemoryStore([{ key: tenantKey("00000000-0000-4000-8000-00000000000b"), value: '{"accountId":"TM-9"}' }]);
    const cli = harness({ store });
    await cli.run(...ADD);
    cli.reset();
    expect(await cli.run("list")).toBe(EXIT_OK);
    const lines = cli.stdout().split("\n");
    expect(lines[1]).toMatch(/^00000000-0000-4000-8000-00000000000b\s+INVALID/);
    expect(lines[2]).toMatch(new RegExp(`^${TENANT}\\s+TM-1001\\s+yes\\s+no\\s+DB\\s+Ann Manager, Bob Boss\\s+Contoso Ltd$`));
  });

  it("goes to Cloudflare only with --remote and --env together, and then says how long propagation takes", async () => {
    const cli = harness();
    expect(await cli.run(...ADD, "--env", "production")).toBe(EXIT_USAGE);
    expect(await cli.run(...ADD, "--remote")).toBe(EXIT_USAGE);
    expect(cli.targets).toEqual([]);
    expect(await cli.run(...ADD, "--remote", "--env", "production", "--yes")).toBe(EXIT_OK);
    expect(cli.targets).toEqual([{ remote: true, env: "production" }]);
    expect(cli.stdout()).toContain('the Cloudflare allow-list of environment "production"');
    expect(cli.stdout()).toContain(PROPAGATION_NOTE);
    expect(PROPAGATION_NOTE).toMatch(/up to about a minute/);
  });

  it.each(["list", "show", "add", "update", "disable", "enable", "remove", "issue-token", "revoke-token"])(
    "explains `%s --help` without touching the store",
    async (command) => {
      const cli = harness();
      expect(await cli.run(command, "--help")).toBe(EXIT_OK);
      expect(cli.stdout()).toContain(`npm run tenants -- ${command}`);
      expect(cli.targets).toEqual([]);
    },
  );

  it("answers an unknown command or option with the usage and exit 2", async () => {
    const cli = harness();
    expect(await cli.run("approve", TENANT)).toBe(EXIT_USAGE);
    expect(await cli.run("disable", TENANT, "--forse")).toBe(EXIT_USAGE);
    expect(cli.stderr()).toContain("usage: npm run tenants");
  });
});

describe("tenants history and the audit trail", () => {
  it("records who ran each change and why, and shows them newest first with what changed", async () => {
    const cli = harness();
    await cli.run(...ADD, "--reason", "contract TM-1001 signed");
    await cli.run("disable", TENANT, "--reason", "unpaid invoice");
    cli.reset();
    expect(await cli.run("history", TENANT)).toBe(EXIT_OK);
    const text = cli.stdout();
    expect(text).toMatch(/v2 {2}2026-11-28T10:00:02\.000Z {2}disabled {2}by ann\.am@telemessage\.example \(cli\)\n {4}reason: unpaid invoice\n {4}enabled: true -> false\n {4}published to KV/);
    expect(text.indexOf("v2 ")).toBeLessThan(text.indexOf("v1 "));
    expect(text).toMatch(/v1 .* added .*\n {4}reason: contract TM-1001 signed\n {4}accountId: \(none\) -> TM-1001/);
  });

  it("refuses to write when it cannot tell who is running it, and writes nothing", async () => {
    const cli = harness({ actor: async () => Promise.reject(new Error("cannot tell who you are for the audit trail")) });
    expect(await cli.run(...ADD)).toBe(EXIT_REFUSED);
    expect(cli.stderr()).toContain("cannot tell who you are");
    expect(await cli.store.list("")).toEqual([]);
    expect(await cli.run("list")).toBe(EXIT_OK);
  });
});
