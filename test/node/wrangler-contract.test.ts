// The wrangler stand-in (test/support/wrangler-stand-in.mjs), which the command-line tools' end-to-end tests
// run instead of wrangler, answers as real wrangler does: the tools' own adapters (D1 through
// `d1 execute --json --command` with the values inlined as literals, the allow-list through the `kv`
// commands) run the same script against the real wrangler on a real local D1 and KV and against the
// stand-in, and give the same transcript, which is also the one the contracts ask for. Every command form the
// tools send is here once, so this file is where the suite pays for real wrangler starts (about two seconds
// of CPU each); the tools' own tests then cost a tenth of that per call.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { executeD1Sql, queryD1 } from "../../src/tools/wrangler/d1.ts";
import { createWranglerKvStore } from "../../src/tools/wrangler/kv-store.ts";
import { runWrangler, type RunWrangler, type WranglerTarget } from "../../src/tools/wrangler/run.ts";
import { migrationsCurrent } from "../../src/tools/wrangler/shards.ts";
import { runStandIn } from "../support/wrangler-stand-in-path.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const localTarget = (): WranglerTarget => {
  const persistTo = mkdtempSync(join(tmpdir(), "wrangler-contract-"));
  dirs.push(persistTo);
  return { remote: false, persistTo };
};

/** What an attacker-chosen or merely unlucky value holds: quotes, a backslash, a newline, a semicolon, flags. */
const AWKWARD = `O'Brien said "stop"; --not-a-flag \\ back\nslash – Zoë Ørsted 株式会社 ' OR 1=1 --`;
const TENANT = "c0c0c0c0-0000-4000-8000-0000000000c0";

/** The D1 side: migrations listed and applied, a batch of the ledger's kind of statements, the unmigrated second shard. */
async function d1Transcript(run: RunWrangler) {
  const target = localTarget();
  const steps: unknown[] = [];
  // What the deploy's check reads (src/tools/deploy/plan.ts): behind before the migrations, current after.
  const where = ["--local", "--persist-to", target.persistTo!];
  const listed = async () => migrationsCurrent((await run(["d1", "migrations", "list", "DB", ...where])).stdout);
  const before = await listed();
  const migrated = await run(["d1", "migrations", "apply", "DB", ...where]);
  steps.push({ before, migrated: migrated.status, after: await listed() });
  const execute = executeD1Sql(target, run);
  steps.push(
    await execute([
      {
        sql: "INSERT INTO tenant_audit (id, tenant_id, version, at, actor, source, action, changes, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params: ["a1", TENANT, 1, "2026-11-30T08:00:00.000Z", "ann.am@telemessage.example", "cli", "added", JSON.stringify({ name: AWKWARD }), AWKWARD],
      },
      { sql: "SELECT version, changes, reason, publish_attempts, published_at FROM tenant_audit WHERE tenant_id = ?", params: [TENANT] },
      { sql: "SELECT ? AS text, ? AS n, ? AS empty, 'a;b' AS literal", params: [AWKWARD, 42, null] },
    ]),
  );
  // The second shard, never migrated here: reached through its own binding, its missing table named.
  steps.push(await queryD1(target, "SELECT * FROM tenant_audit", run, "DB_2").catch((error: Error) => `${error.name}: ${error.message.replace(target.persistTo!, "<persist-to>")}`));
  return steps;
}

/**
 * The KV side: the allow-list store's contract (src/tenants/store.ts) in as few wrangler starts as cover it
 * (each is about two seconds of CPU): a missing key, an overwrite, key order unlike write order, deletes of a
 * present and an absent key, and a prefix that excludes, read back by one list (a list is two starts: the
 * keys, then their values in one bulk read).
 */
async function kvTranscript(run: RunWrangler) {
  const store = createWranglerKvStore(localTarget(), run);
  const steps: unknown[] = [await store.get("p:missing")];
  await store.put("p:d", "D");
  await store.put("p:a", '{"name":"first"}');
  await store.put("p:a", AWKWARD);
  await store.put("p:c", "C");
  await store.put("xp:b", "elsewhere");
  await store.delete("p:never-written");
  await store.delete("p:c");
  steps.push(await store.list("p:"));
  return steps;
}

const EXPECTED_D1 = [
  { before: false, migrated: 0, after: true },
  [
    [],
    [{ version: 1, changes: JSON.stringify({ name: AWKWARD }), reason: AWKWARD, publish_attempts: 0, published_at: null }],
    [{ text: AWKWARD, n: 42, empty: null, literal: "a;b" }],
  ],
  expect.stringMatching(/^MigrationsMissingError: The local D1 database DB_2 has no table "tenant_audit": its migrations are not applied\. Run `npm run db:migrate -- --persist-to <persist-to>`/),
];

const EXPECTED_KV = [
  undefined,
  [
    { key: "p:a", value: AWKWARD },
    { key: "p:d", value: "D" },
  ],
];

describe("the wrangler stand-in answers as real wrangler does", { concurrent: true, timeout: 120_000 }, () => {
  it("D1: migrations behind then current, a batch of inlined statements, the unmigrated second shard", async () => {
    const [real, standIn] = await Promise.all([d1Transcript(runWrangler), d1Transcript(runStandIn)]);
    expect(real).toEqual(EXPECTED_D1);
    expect(standIn).toEqual(real);
  });

  it("KV: the allow-list store's contract", async () => {
    const [real, standIn] = await Promise.all([kvTranscript(runWrangler), kvTranscript(runStandIn)]);
    expect(real).toEqual(EXPECTED_KV);
    expect(standIn).toEqual(real);
  });
});
