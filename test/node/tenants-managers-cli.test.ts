// `npm run tenants` for issue 12: manager keys and Tenant URLs, renames with aliases, removals that say how
// many users stay behind, and country codes. The CLI's own argv handling against the in-memory store and a
// recording stand-in for D1 (the real D1 side: test/http/manager-rename.test.ts, test/node/tenants-d1.test.ts).
import { describe, expect, it } from "vitest";
import { createSqliteLedger } from "../support/sqlite-ledger.ts";
import { defaultGatewayHost, parseGatewayHost } from "../../src/tools/tenants/gateway-host.ts";
import { EXIT_OK, EXIT_REFUSED, EXIT_USAGE, runTenantsCli } from "../../src/tools/tenants/cli.ts";
import type { ManagerUsers } from "../../src/tenants/manager-users.ts";
import { createMemoryStore } from "../support/memory-store.ts";
import { TenantRecord, tenantKey } from "../../src/tenants/record.ts";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const ADD = ["add", TENANT, "--account", "TM-1001", "--name", "Contoso Ltd", "--manager", "Ann Manager", "--manager", "Bob Boss"];

function harness(options: { usersUnder?: Record<string, number>; failD1?: boolean } = {}) {
  const store = createMemoryStore();
  const out: string[] = [];
  const err: string[] = [];
  const calls: string[] = [];
  const usersUnder = { ...options.usersUnder };
  const users: ManagerUsers = {
    async count(_tenant, _record, names) {
      if (options.failD1) throw new Error("wrangler d1 execute failed (exit 1): no such table: users");
      calls.push(`count ${names.join("|")}`);
      return names.reduce((n, name) => n + (usersUnder[name] ?? 0), 0);
    },
    async move(_tenant, record, from, to) {
      calls.push(`move ${from.join("|")} -> ${to} (record name ${record.managers?.map((m) => (typeof m === "string" ? m : m.name)).join(", ")})`);
      const moved = from.reduce((n, name) => n + (usersUnder[name] ?? 0), 0);
      for (const name of from) delete usersUnder[name];
      return { moved, remaining: 0 };
    },
  };
  let clock = Date.parse("2026-11-28T10:00:00.000Z");
  const ledger = createSqliteLedger();
  const run = (...argv: string[]) =>
    runTenantsCli(argv, {
      openStore: () => store,
      openLedger: () => ledger,
      actor: async () => "ann.am@telemessage.example",
      openUsers: () => users,
      gatewayHost: (target) => (target.remote ? undefined : "http://localhost:8787"),
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      confirm: async () => false,
      now: () => new Date((clock += 1000)),
    });
  const stored = async () => TenantRecord.parse(JSON.parse((await store.get(tenantKey(TENANT))) ?? "{}"));
  const reset = () => {
    out.length = 0;
    err.length = 0;
  };
  return { run, stored, calls, reset, store, stdout: () => out.join(""), stderr: () => err.join("") };
}

describe("manager keys and Tenant URLs", () => {
  it("add gives each manager a key; show prints each manager's Tenant URL ready to paste", async () => {
    const cli = harness();
    expect(await cli.run(...ADD)).toBe(EXIT_OK);
    cli.reset();
    expect(await cli.run("show", TENANT, "--host", "scim.contoso-gateway.example")).toBe(EXIT_OK);
    expect(cli.stdout()).toMatch(/Ann Manager\s+https:\/\/scim\.contoso-gateway\.example\/scim\/v2\/managers\/ann-manager\?aadOptscim062020/);
    expect(cli.stdout()).toMatch(/Bob Boss\s+https:\/\/scim\.contoso-gateway\.example\/scim\/v2\/managers\/bob-boss\?aadOptscim062020/);
    cli.reset();
    expect(await cli.run("show", TENANT, "--json")).toBe(EXIT_OK);
    expect(JSON.parse(cli.stdout()).tenantUrls.map((u: { url: string }) => u.url)).toEqual([
      "http://localhost:8787/scim/v2/managers/ann-manager?aadOptscim062020",
      "http://localhost:8787/scim/v2/managers/bob-boss?aadOptscim062020",
    ]);
  });

  it("show says how to name the host when there is no default, and refuses a --host that is not an origin", async () => {
    const cli = harness();
    await cli.run(...ADD);
    cli.reset();
    expect(await cli.run("show", TENANT, "--remote", "--env", "staging")).toBe(EXIT_OK);
    expect(cli.stdout()).toContain("https://<gateway host>/scim/v2/managers/ann-manager?aadOptscim062020");
    expect(cli.stdout()).toContain("pass --host");
    expect(await cli.run("show", TENANT, "--host", "https://scim.example.com/scim/v2")).toBe(EXIT_USAGE);
  });

  it("reads the default host from the environment's first route in wrangler.toml", () => {
    const config = { env: { production: { routes: [{ pattern: "scim.telemessage.example/scim/v2*" }] }, staging: {} } };
    expect(defaultGatewayHost({ remote: true, env: "production" }, config)).toBe("https://scim.telemessage.example");
    expect(defaultGatewayHost({ remote: true, env: "staging" }, config)).toBeUndefined();
    expect(defaultGatewayHost({ remote: false }, config)).toBe("http://localhost:8787");
    expect(parseGatewayHost("https://scim.example.com/")).toBe("https://scim.example.com");
  });

  it("upgrades an old plain-name record to entries on a manager change, keeping the keys the gateway derived", async () => {
    const cli = harness();
    await cli.store.put(tenantKey(TENANT), JSON.stringify({ accountId: "TM-1", name: "C", managers: ["Ann Manager", "Ann-Manager"], enabled: true }));
    expect(await cli.run("update", TENANT, "--add-manager", "Cy Chief")).toBe(EXIT_OK);
    expect((await cli.stored()).managers).toEqual([
      { key: "ann-manager", name: "Ann Manager" },
      { key: "ann-manager-2", name: "Ann-Manager" },
      { key: "cy-chief", name: "Cy Chief" },
    ]);
  });
});

describe("renaming and removing managers", () => {
  it("--rename-manager keeps the key, keeps OLD as an alias, and moves the users stored under OLD", async () => {
    const cli = harness({ usersUnder: { "Ann Manager": 12 } });
    await cli.run(...ADD);
    cli.reset();
    expect(await cli.run("update", TENANT, "--rename-manager", "Ann Manager=Ann Smith")).toBe(EXIT_OK);
    expect((await cli.stored()).managers?.[0]).toEqual({ key: "ann-manager", name: "Ann Smith", aliases: ["Ann Manager"] });
    // The record already accepts the old name when the users move.
    expect(cli.calls).toEqual(["count Ann Manager", "move Ann Manager -> Ann Smith (record name Ann Smith, Bob Boss)"]);
    expect(cli.stdout()).toContain('12 users are stored under "Ann Manager"; moved 12 to "Ann Smith", one change event each');
    expect(cli.stdout()).toContain('"Ann Manager" stays an alias of "Ann Smith"');
    expect(cli.stdout()).toMatch(/managers\s+Ann Manager, Bob Boss\s+->\s+Ann Smith \(was Ann Manager\), Bob Boss/);
  });

  it("--remove-manager retires it and says how many users are stored under it", async () => {
    const cli = harness({ usersUnder: { "Bob Boss": 12 } });
    await cli.run(...ADD);
    cli.reset();
    expect(await cli.run("update", TENANT, "--remove-manager", "Bob Boss")).toBe(EXIT_OK);
    expect(cli.stdout()).toContain('12 users are stored under "Bob Boss". They stay there');
    expect((await cli.stored()).managers?.[1]).toMatchObject({ key: "bob-boss", retiredAt: "2026-11-28T10:00:02.000Z" });
    cli.reset();
    expect(await cli.run("update", TENANT, "--remove-manager", "Ann Manager", "--json")).toBe(EXIT_REFUSED);
    expect(JSON.parse(cli.stdout()).error.message).toContain("leave no manager");
  });

  it("--remove-alias stops accepting the former name", async () => {
    const cli = harness();
    await cli.run(...ADD);
    await cli.run("update", TENANT, "--rename-manager", "Ann Manager=Ann Smith");
    expect(await cli.run("update", TENANT, "--remove-alias", "ann manager")).toBe(EXIT_OK);
    expect((await cli.stored()).managers?.[0]).toEqual({ key: "ann-manager", name: "Ann Smith" });
  });

  it("says the record changed but the users did not move when D1 cannot be reached, and how to finish", async () => {
    const cli = harness({ failD1: true });
    await cli.run(...ADD);
    cli.reset();
    expect(await cli.run("update", TENANT, "--rename-manager", "Ann Manager=Ann Smith")).toBe(EXIT_REFUSED);
    expect(cli.stderr()).toContain("record is updated, but its users in D1 could not be counted or moved");
    expect(cli.stderr()).toContain("Run the same command again");
    expect((await cli.stored()).managers?.[0]).toMatchObject({ name: "Ann Smith" });
  });

  it.each([
    [["--rename-manager", "Ann Manager"], 'takes "OLD=NEW"'],
    [["--rename-manager", "=Ann Smith"], 'takes "OLD=NEW"'],
    [["--any-manager", "--remove-alias", "x"], "--any-manager drops the manager list"],
  ])("refuses %j as wrong usage", async (args, message) => {
    const cli = harness();
    await cli.run(...ADD);
    expect(await cli.run("update", TENANT, ...args)).toBe(EXIT_USAGE);
    expect(cli.stderr()).toContain(message);
  });
});

describe("country calling codes", () => {
  it("add and update set them (repeatable, comma lists, '+' tolerated), --any-calling-code drops them", async () => {
    const cli = harness();
    expect(await cli.run(...ADD, "--calling-code", "1")).toBe(EXIT_OK);
    expect((await cli.stored()).callingCodes).toEqual(["1"]);
    cli.reset();
    expect(await cli.run("update", TENANT, "--calling-code", "+1, 44", "--calling-code", "852")).toBe(EXIT_OK);
    expect((await cli.stored()).callingCodes).toEqual(["1", "44", "852"]);
    expect(cli.stdout()).toMatch(/callingCodes\s+1\s+->\s+1, 44, 852/);
    expect(await cli.run("update", TENANT, "--any-calling-code")).toBe(EXIT_OK);
    expect((await cli.stored()).callingCodes).toBeUndefined();
  });

  it.each([["999"], ["0044"], ["1,1"]])("refuses %s with the reason, writing nothing", async (code) => {
    const cli = harness();
    expect(await cli.run(...ADD, "--calling-code", code)).toBe(EXIT_REFUSED);
    expect(cli.stderr()).toMatch(/calling code/);
    expect(await cli.store.list("")).toEqual([]);
  });
});
