// Issue 15 §2: `npm run tenants -- add` places a new tenant on the shard with the most headroom by the
// capacity rule (docs/capacity.md) or on the one --shard names, and `list` shows each tenant's shard and its
// size there. Through the CLI's own argv handling, with the committed capacity figures and shards whose sizes
// are given here (test/node/tenants-d1.test.ts runs the same commands against real local D1s).
import { describe, expect, it } from "vitest";
import { loadCapacityFigures } from "../../src/tools/capacity/load.ts";
import { CHOICES } from "../../src/tools/capacity/model.ts";
import { runTenantsCli, EXIT_OK, EXIT_REFUSED, EXIT_USAGE } from "../../src/tools/tenants/cli.ts";
import type { ShardSizes, TenantSize } from "../../src/tools/tenants/shard-sizes.ts";
import { TenantRecord, tenantKey } from "../../src/tenants/record.ts";
import type { ShardName } from "../../src/tenants/shard.ts";
import { createMemoryStore } from "../support/memory-store.ts";
import { createSqliteLedger } from "../support/sqlite-ledger.ts";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OTHER = "0c0c0c0c-0000-4000-8000-00000000000c";
const ADD = ["add", TENANT, "--account", "TM-1001", "--name", "Contoso Ltd", "--manager", "Ann Manager"];
const figures = loadCapacityFigures();
const GB = 1000 ** 3;

type FakeShard = { sizeBytes: number; users?: number; tenants?: Record<string, TenantSize>; unreadable?: boolean };

function harness(shards: Record<string, FakeShard>) {
  const store = createMemoryStore();
  const ledger = createSqliteLedger();
  const out: string[] = [];
  const err: string[] = [];
  const sizes: ShardSizes = {
    shards: Object.keys(shards) as ShardName[],
    survey: async (shard, tenantId) => {
      if (shards[shard]!.unreadable) throw new Error("wrangler d1 execute failed (exit 1): no such table: tenant_usage");
      return {
      load: { shard, sizeBytes: shards[shard]!.sizeBytes, users: shards[shard]!.users ?? 0, events: 0 },
      tenant: shards[shard]!.tenants?.[tenantId] ?? { users: 0, events: 0 },
      };
    },
    tenants: async (shard) => new Map(Object.entries(shards[shard]!.tenants ?? {})),
  };
  const run = (...argv: string[]) =>
    runTenantsCli(argv, {
      openStore: () => store,
      openLedger: () => ledger,
      actor: async () => "ann.am@telemessage.example",
      openShards: () => sizes,
      openMoves: () => ({
        execute: async () => {
          throw new Error("no D1 in this test");
        },
        sleep: async () => {},
        shards: Object.keys(shards) as ShardName[],
      }),
      capacity: () => figures,
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      confirm: async () => false,
      now: () => new Date("2026-11-30T10:00:00.000Z"),
    });
  const stored = async (tenant = TENANT) => {
    const raw = (await ledger.get(tenant))?.raw ?? (await store.get(tenantKey(tenant)));
    return raw === undefined ? undefined : TenantRecord.parse(JSON.parse(raw));
  };
  return { run, stored, stdout: () => out.join(""), stderr: () => err.join("") };
}

describe("tenants add places a new tenant on a shard", () => {
  it("puts it on the shard with the most headroom by the capacity rule, and says where and why", async () => {
    const cli = harness({ DB: { sizeBytes: 2 * GB }, DB_2: { sizeBytes: 0.5 * GB }, DB_3: { sizeBytes: 1 * GB } });
    expect(await cli.run(...ADD), cli.stderr()).toBe(EXIT_OK);
    expect((await cli.stored())?.shard).toBe("DB_2");
    expect(cli.stderr()).toMatch(/Placed on shard DB_2 by the capacity rule .*DB \d+%, DB_2 \d+(\.\d)?%, DB_3 \d+%/);
  });

  it("writes the shard even when it is the first, so the record says where the tenant is", async () => {
    const cli = harness({ DB: { sizeBytes: 0 }, DB_2: { sizeBytes: 1 * GB } });
    expect(await cli.run(...ADD), cli.stderr()).toBe(EXIT_OK);
    expect((await cli.stored())?.shard).toBe("DB");
  });

  it("puts a tenant approved again on the shard where its users still are, whatever the rule says", async () => {
    const cli = harness({ DB: { sizeBytes: 0 }, DB_2: { sizeBytes: 3 * GB, tenants: { [TENANT]: { users: 12, events: 0 } } } });
    expect(await cli.run(...ADD), cli.stderr()).toBe(EXIT_OK);
    expect((await cli.stored())?.shard).toBe("DB_2");
  });

  it("takes the shard --shard names, even the fuller one", async () => {
    const cli = harness({ DB: { sizeBytes: 3 * GB }, DB_2: { sizeBytes: 0 } });
    expect(await cli.run(...ADD, "--shard", "DB"), cli.stderr()).toBe(EXIT_OK);
    expect((await cli.stored())?.shard).toBe("DB");
  });

  it.each([["users-2"], ["TENANTS"], ["__proto__"], ["DB_3"]])("refuses --shard %s (not a shard of this environment) and writes nothing", async (shard) => {
    const cli = harness({ DB: { sizeBytes: 0 }, DB_2: { sizeBytes: 0 } });
    expect(await cli.run(...ADD, "--shard", shard)).toBe(EXIT_USAGE);
    expect(cli.stderr()).toMatch(/--shard/);
    expect(await cli.stored()).toBeUndefined();
  });

  it("refuses, saying to add a shard, when no shard has room for the largest expected tenant", async () => {
    const full = figures.targetBytes - figures.tenantBytes(CHOICES.largestTenantUsers) / 2;
    const cli = harness({ DB: { sizeBytes: full }, DB_2: { sizeBytes: full } });
    expect(await cli.run(...ADD)).toBe(EXIT_REFUSED);
    expect(cli.stderr()).toMatch(/add a shard/);
    expect(await cli.stored()).toBeUndefined();
  });

  it("refuses, saying what to do, when a shard's size cannot be read (not migrated yet), and writes nothing", async () => {
    const cli = harness({ DB: { sizeBytes: 0 }, DB_2: { sizeBytes: 0, unreadable: true } });
    expect(await cli.run(...ADD)).toBe(EXIT_REFUSED);
    expect(cli.stderr()).toMatch(/shard DB_2 .*npm run db:migrate.*--shard/);
    expect(await cli.stored()).toBeUndefined();
  });

  it("add --force keeps the shard of the record it replaces; naming another shard is refused, pointing to move", async () => {
    const cli = harness({ DB: { sizeBytes: 3 * GB }, DB_2: { sizeBytes: 0 } });
    expect(await cli.run(...ADD, "--shard", "DB")).toBe(EXIT_OK);
    expect(await cli.run(...ADD, "--force"), cli.stderr()).toBe(EXIT_OK);
    expect((await cli.stored())?.shard).toBe("DB");
    expect(await cli.run(...ADD, "--force", "--shard", "DB_2")).toBe(EXIT_REFUSED);
    expect(cli.stderr()).toContain(`move ${TENANT} --to DB_2`);
    expect((await cli.stored())?.shard).toBe("DB");
  });
});

describe("tenants list", () => {
  it("shows each tenant's shard and its users and events there", async () => {
    const cli = harness({ DB: { sizeBytes: 0, tenants: { [TENANT]: { users: 3, events: 7 } } }, DB_2: { sizeBytes: 0, tenants: { [OTHER]: { users: 40, events: 2 } } } });
    expect(await cli.run(...ADD, "--shard", "DB")).toBe(EXIT_OK);
    expect(await cli.run("add", OTHER, "--account", "TM-2", "--name", "Fabrikam", "--any-manager", "--shard", "DB_2")).toBe(EXIT_OK);
    expect(await cli.run("list")).toBe(EXIT_OK);
    const lines = cli.stdout().split("\n");
    const header = lines.findIndex((l) => l.startsWith("TENANT"));
    expect(lines[header]).toMatch(/SHARD\s+USERS\s+EVENTS/);
    expect(lines.slice(header + 1, header + 3)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${OTHER}\\s+TM-2\\s+yes\\s+no\\s+DB_2\\s+40\\s+2\\s`)),
        expect.stringMatching(new RegExp(`^${TENANT}\\s+TM-1001\\s+yes\\s+no\\s+DB\\s+3\\s+7\\s`)),
      ]),
    );
    expect(await cli.run("list", "--json")).toBe(EXIT_OK);
    const listed = JSON.parse(cli.stdout().slice(cli.stdout().lastIndexOf('{\n  "target"')));
    expect(listed.tenants.map((t: { tenantId: string; shard: string; size: TenantSize }) => [t.tenantId, t.shard, t.size]).sort()).toEqual(
      [
        [OTHER, "DB_2", { users: 40, events: 2 }],
        [TENANT, "DB", { users: 3, events: 7 }],
      ].sort(),
    );
  });
});

describe("tenants move (arguments; the move itself runs on real D1s in test/http/tenant-move.test.ts)", () => {
  it.each([
    [["move", TENANT], /move needs --to <shard>/],
    [["move", TENANT, "--to", "users-2"], /move needs --to <shard>/],
    [["move", TENANT, "--to", "DB_2", "--stop-after", "halfway"], /--stop-after is one of planned, copied, fenced/],
    [["move", TENANT, "--rollback", "--to", "DB_2"], /--rollback takes no --to/],
    [["move"], /move takes one tenant/],
  ])("refuses %j with a usage error, before touching anything", async (argv, message) => {
    const cli = harness({ DB: { sizeBytes: 0 } });
    expect(await cli.run(...argv)).toBe(EXIT_USAGE);
    expect(cli.stderr()).toMatch(message);
  });

  it("asks before a move in production, and moves nothing when the answer is no", async () => {
    const cli = harness({ DB: { sizeBytes: 0 }, DB_2: { sizeBytes: 0 } });
    expect(await cli.run("move", TENANT, "--to", "DB_2", "--remote", "--env", "production")).toBe(EXIT_REFUSED);
    expect(cli.stderr()).toBe("Nothing was moved.\n");
  });

  it("refuses a production move with --json and no --yes: there is no one to ask", async () => {
    const cli = harness({ DB: { sizeBytes: 0 }, DB_2: { sizeBytes: 0 } });
    expect(await cli.run("move", TENANT, "--to", "DB_2", "--remote", "--env", "production", "--json")).toBe(EXIT_USAGE);
    expect(cli.stderr()).toMatch(/needs --yes/);
  });
});
