// `npm run tenants -- activity | doctor`, and the list's "last seen" and "errors in 24 h" columns (issue 14
// §2), through the CLI's own argv handling: the allow-list in memory, and the activity statements the CLI
// sends to wrangler run on the gateway's schema in SQLite (test/support/sqlite-d1.ts).
import { describe, expect, it } from "vitest";
import { EXIT_OK, EXIT_REFUSED, EXIT_USAGE, runTenantsCli } from "../../src/tools/tenants/cli.ts";
import { tenantKey } from "../../src/tenants/record.ts";
import type { WranglerTarget } from "../../src/tools/wrangler/run.ts";
import { createMemoryStore } from "../support/memory-store.ts";
import { createSqliteLedger } from "../support/sqlite-ledger.ts";
import { sqliteD1 } from "../support/sqlite-d1.ts";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const QUIET = "0c0c0c0c-0000-4000-8000-00000000000c";
const NOW = new Date("2026-11-28T14:30:00.000Z");
const RECORD = { accountId: "TM-1001", name: "Contoso", managers: [{ key: "ann-manager", name: "Ann Manager" }], enabled: true };

function harness(options: { failD1?: boolean } = {}) {
  const store = createMemoryStore([
    { key: tenantKey(TENANT), value: JSON.stringify(RECORD) },
    { key: tenantKey(QUIET), value: JSON.stringify({ ...RECORD, name: "Quiet Ltd" }) },
  ]);
  const d1 = sqliteD1();
  const ledger = createSqliteLedger();
  const out: string[] = [];
  const err: string[] = [];
  const queried: WranglerTarget[] = [];
  const run = (...argv: string[]) =>
    runTenantsCli(argv, {
      openLedger: () => ledger,
      actor: async () => "ann.am@telemessage.example",
      openStore: () => store,
      queryD1: async (target, statements) => {
        queried.push(target);
        if (options.failD1) throw new Error('The local D1 database has no table "tenant_activity_counts": its migrations are not applied. Run `npm run db:migrate`');
        return d1.query(statements);
      },
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      confirm: async () => false,
      now: () => NOW,
    });
  const reset = () => void (out.length = 0);
  return { d1, run, queried, reset, stdout: () => out.join(""), stderr: () => err.join("") };
}

/** A tenant whose Entra app sends a misspelt displayName: probes and lookups fine, every create refused. */
function seedMisspeltManager(d1: ReturnType<typeof sqliteD1>) {
  d1.insert("tenant_activity_counts", { tenant_id: TENANT, bucket: "2026-11-28", kind: "probe", outcome: "2xx", count: 4, last_at: "2026-11-28T14:00:00.000Z" });
  d1.insert("tenant_activity_counts", { tenant_id: TENANT, bucket: "2026-11-28", kind: "lookup", outcome: "2xx", count: 41, last_at: "2026-11-28T14:20:00.000Z" });
  d1.insert("tenant_activity_counts", { tenant_id: TENANT, bucket: "2026-11-28T14", kind: "create", outcome: "invalidValue", count: 41, last_at: "2026-11-28T14:20:00.000Z" });
  for (let i = 0; i < 41; i++) {
    d1.insert("tenant_refusals", {
      tenant_id: TENANT,
      request_id: `req-${String(i).padStart(2, "0")}`,
      at: `2026-11-28T14:${String(i % 20).padStart(2, "0")}:01.000Z`,
      kind: "create",
      status: 400,
      scim_type: "invalidValue",
      reason: "unknown_manager",
      detail: "displayName does not name a TeleMessage company manager of this account. Use the exact manager name your TeleMessage account manager gave you (1 name is registered).",
      sent: "Ann Manger",
    });
  }
}

describe("tenants activity", () => {
  it("shows the last request, probe and write, the day's counts by kind, the answers that were not 2xx and the last refusals", async () => {
    const cli = harness();
    seedMisspeltManager(cli.d1);
    expect(await cli.run("activity", TENANT)).toBe(EXIT_OK);
    const text = cli.stdout();
    expect(text).toContain(`Tenant ${TENANT} (Contoso, account TM-1001), from the local D1 database:`);
    expect(text).toMatch(/Last request\s+2026-11-28 14:20 UTC \(10 minutes ago\)/);
    expect(text).toMatch(/Last probe\s+2026-11-28 14:00 UTC \(30 minutes ago\)/);
    expect(text).toMatch(/Last write\s+none in 30 days/);
    expect(text).toMatch(/Errors in 24 h\s+41/);
    expect(text).toMatch(/DAY\s+PROBE\s+LOOKUP\s+CREATE\s+UPDATE\s+DISABLE\s+DELETE\s+OTHER\s+NOT 2XX/);
    expect(text).toMatch(/2026-11-28\s+4\s+41\s+41\s+0\s+0\s+0\s+0\s+41 invalidValue/);
    expect(text).toContain("Last 41 refusals, newest first");
    expect(text).toMatch(/create\s+400 invalidValue\s+\[sent 'Ann Manger'\] displayName does not name/);
    expect(cli.queried).toEqual([{ remote: false }]);
  });

  it("prints the read model's TenantActivity with --json", async () => {
    const cli = harness();
    seedMisspeltManager(cli.d1);
    expect(await cli.run("activity", TENANT.toUpperCase(), "--json")).toBe(EXIT_OK);
    const { activity } = JSON.parse(cli.stdout());
    expect(activity).toMatchObject({ tenantId: TENANT, lastProbeAt: "2026-11-28T14:00:00.000Z", errorsLast24h: 41, users: { active: 0, disabled: 0 } });
    expect(activity.refusals).toHaveLength(41);
    expect(activity.refusals[0]).toMatchObject({ status: 400, reason: "unknown_manager", sent: "Ann Manger" });
  });

  it("reads the activity of a tenant that is not on the allow-list, saying so", async () => {
    const cli = harness();
    const gone = "0d0d0d0d-0000-4000-8000-00000000000d";
    expect(await cli.run("activity", gone)).toBe(EXIT_OK);
    expect(cli.stdout()).toContain(`Tenant ${gone} (not on the allow-list)`);
    expect(cli.stdout()).toContain("No request recorded in the last 30 days.");
  });

  it("refuses a tenant id that is not a GUID before anything is queried", async () => {
    const cli = harness();
    expect(await cli.run("activity", "x' OR '1'='1")).toBe(EXIT_REFUSED);
    expect(cli.queried).toEqual([]);
  });
});

describe("tenants doctor", () => {
  it("names the misspelt manager and the registered one, says the Entra admin must act, and exits 1", async () => {
    const cli = harness();
    seedMisspeltManager(cli.d1);
    expect(await cli.run("doctor", TENANT)).toBe(EXIT_REFUSED);
    expect(cli.stdout()).toContain(
      "PROBLEM (Entra admin must act): 41 refusals in the last 24 h, all unknown manager 'Ann Manger': the app's displayName constant is misspelled; registered: Ann Manager",
    );
  });

  it("asks whether provisioning is on for a tenant never seen, and gives the findings as JSON", async () => {
    const cli = harness();
    expect(await cli.run("doctor", QUIET, "--json")).toBe(EXIT_REFUSED);
    const { findings } = JSON.parse(cli.stdout());
    expect(findings).toEqual([expect.objectContaining({ code: "never-seen", who: "entra-admin", severity: "problem" })]);
  });

  it("finds nothing wrong with a tenant that provisions, and exits 0", async () => {
    const cli = harness();
    cli.d1.insert("tenant_activity_counts", { tenant_id: QUIET, bucket: "2026-11-28", kind: "probe", outcome: "2xx", count: 1, last_at: "2026-11-28T14:10:00.000Z" });
    cli.d1.insert("tenant_activity_counts", { tenant_id: QUIET, bucket: "2026-11-28", kind: "create", outcome: "2xx", count: 3, last_at: "2026-11-28T14:11:00.000Z" });
    expect(await cli.run("doctor", QUIET)).toBe(EXIT_OK);
    expect(cli.stdout()).toContain("OK (nothing to do): No problem found: last request 19 minutes ago");
  });
});

describe("what a hostile tenant sent, on the account manager's terminal", () => {
  it("prints control characters and bidi overrides as escapes in activity and doctor, whatever the database holds", async () => {
    const cli = harness();
    const sent = "Ann\u001b]0;owned\u0007\u001b[2J Man\u202eager";
    cli.d1.insert("tenant_activity_counts", { tenant_id: TENANT, bucket: "2026-11-28T14", kind: "create", outcome: "invalidValue", count: 1, last_at: "2026-11-28T14:20:00.000Z" });
    cli.d1.insert("tenant_refusals", {
      tenant_id: TENANT, request_id: "req-1", at: "2026-11-28T14:20:00.000Z", kind: "create", status: 400, scim_type: "invalidValue",
      reason: "unknown_manager", detail: "displayName does not name a TeleMessage company manager \u001b[31m", sent,
    });
    expect(await cli.run("activity", TENANT)).toBe(EXIT_OK);
    await cli.run("doctor", TENANT);
    const text = cli.stdout();
    expect(text).toContain("[sent 'Ann\\u001b]0;owned\\u0007\\u001b[2J Man\\u202eager'] displayName does not name a TeleMessage company manager \\u001b[31m");
    expect(text).toContain("unknown manager 'Ann\\u001b]0;owned");
    expect(/[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u202e]/.test(text)).toBe(false);
  });
});

describe("tenants list with activity", () => {
  it("adds when each tenant was last seen and its errors in the last 24 h", async () => {
    const cli = harness();
    seedMisspeltManager(cli.d1);
    expect(await cli.run("list")).toBe(EXIT_OK);
    const lines = cli.stdout().split("\n");
    expect(lines[0]).toMatch(/^TENANT\s+ACCOUNT\s+ENABLED\s+LAST SEEN\s+ERRORS 24H\s+TOKEN\s+SHARD\s+MANAGERS\s+NAME$/);
    expect(lines[1]).toMatch(new RegExp(`^${QUIET}\\s+TM-1001\\s+yes\\s+-\\s+0\\s+no\\s+DB\\s+Ann Manager\\s+Quiet Ltd$`));
    expect(lines[2]).toMatch(new RegExp(`^${TENANT}\\s+TM-1001\\s+yes\\s+10 minutes ago\\s+41\\s+no\\s+DB\\s+Ann Manager\\s+Contoso$`));

    cli.reset();
    expect(await cli.run("list", "--json")).toBe(EXIT_OK);
    const { tenants } = JSON.parse(cli.stdout());
    expect(tenants.map((t: any) => [t.tenantId, t.activity])).toEqual([
      [QUIET, { lastRequestAt: null, errorsLast24h: 0 }],
      [TENANT, { lastRequestAt: "2026-11-28T14:20:00.000Z", errorsLast24h: 41 }],
    ]);
  });

  it("still lists the allow-list when the D1 cannot be read, with '?' and the reason on stderr", async () => {
    const cli = harness({ failD1: true });
    expect(await cli.run("list")).toBe(EXIT_OK);
    expect(cli.stdout()).toMatch(new RegExp(`${TENANT}\\s+TM-1001\\s+yes\\s+\\?\\s+\\?\\s+no`));
    expect(cli.stderr()).toContain("Run `npm run db:migrate`");
  });

  it("explains activity and doctor with --help, and refuses them without a tenant", async () => {
    const cli = harness();
    expect(await cli.run("doctor", "--help")).toBe(EXIT_OK);
    expect(cli.stdout()).toContain("who must act");
    expect(await cli.run("activity")).toBe(EXIT_USAGE);
  });
});
