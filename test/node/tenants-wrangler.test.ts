// The real `npm run tenants` entry point, end to end: node runs src/tools/tenants/main.ts, which drives the
// program `wrangler` against a local KV and D1 (the ledger and audit trail) in a throwaway state directory
// (never the developer's .wrangler/state). That program is the wrangler stand-in
// (test/support/wrangler-stand-in.mjs), held to real wrangler by test/node/wrangler-contract.test.ts.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TenantRecord } from "../../src/tenants/record.ts";
import { wranglerStandInEnv } from "../support/wrangler-stand-in-path.ts";

const persistTo = mkdtempSync(join(tmpdir(), "tenants-cli-"));
afterAll(() => rmSync(persistTo, { recursive: true, force: true }));

const env = wranglerStandInEnv(persistTo, { TENANTS_ACTOR: "ann.am@telemessage.example" });

beforeAll(() => {
  const migrated = spawnSync("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], { encoding: "utf8", env });
  expect(migrated.status, migrated.stderr).toBe(0);
}, 30_000);
const tenants = (...args: string[]) =>
  spawnSync(process.execPath, ["src/tools/tenants/main.ts", ...args, "--persist-to", persistTo], { encoding: "utf8", env, stdio: ["ignore", "pipe", "pipe"] });

describe("npm run tenants on a real local KV", () => {
  it("writes the record under tenant:<lower-case GUID> where wrangler (and so the Worker) reads it", { timeout: 30_000 }, () => {
    const added = tenants("add", "AB0C5E9E-0000-4000-8000-0000000000AA", "--account", "TM-77", "--name", "Fabrikam", "--manager", "Ann Manager", "--shard", "DB", "--json");
    expect(added.status, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ action: "added", tenantId: "ab0c5e9e-0000-4000-8000-0000000000aa" });

    const raw = spawnSync(
      "wrangler",
      ["kv", "key", "get", "--binding", "TENANTS", "--local", "--persist-to", persistTo, "tenant:ab0c5e9e-0000-4000-8000-0000000000aa"],
      { encoding: "utf8", env },
    );
    expect(TenantRecord.parse(JSON.parse(raw.stdout))).toMatchObject({ accountId: "TM-77", managers: [{ key: "ann-manager", name: "Ann Manager" }], enabled: true });

    const disabled = tenants("disable", "ab0c5e9e-0000-4000-8000-0000000000aa", "--reason", "asked by O'Brien; \"unpaid\"");
    expect(disabled.status, disabled.stderr).toBe(0);
    expect(disabled.stdout).toContain("Recorded as version 2");
    const history = tenants("history", "ab0c5e9e-0000-4000-8000-0000000000aa", "--json");
    expect(history.status, history.stderr).toBe(0);
    expect(JSON.parse(history.stdout).history.map((e: any) => [e.version, e.action, e.actor.name, e.reason ?? null, Boolean(e.publishedAt)])).toEqual([
      [2, "disabled", "ann.am@telemessage.example", `asked by O'Brien; "unpaid"`, true],
      [1, "added", "ann.am@telemessage.example", null, true],
    ]);
    const readable = tenants("history", "ab0c5e9e-0000-4000-8000-0000000000aa");
    expect(readable.stdout).toMatch(/v2 .* disabled {2}by ann\.am@telemessage\.example \(cli\)\n {4}reason: asked by O'Brien; "unpaid"\n {4}enabled: true -> false\n {4}published to KV/);

    // No terminal to answer the question: the tenant stays.
    const removal = tenants("remove", "ab0c5e9e-0000-4000-8000-0000000000aa");
    expect(removal.status).toBe(1);
    expect(removal.stderr).toContain("Not removed.");
  });
});
