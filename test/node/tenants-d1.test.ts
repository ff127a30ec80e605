// `npm run tenants -- update --rename-manager / --remove-manager` end to end: node runs src/tools/tenants/main.ts,
// which writes the record through wrangler's KV and counts and moves the users through `wrangler d1
// execute`, on a local D1 and KV in a throwaway directory (its own wrangler.toml, migrations and
// --persist-to), never the developer's .wrangler state. The program `wrangler` is the stand-in
// (test/support/wrangler-stand-in.mjs), held to real wrangler by test/node/wrangler-contract.test.ts.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CoreEvent } from "../../src/core-event.ts";
import { wranglerStandInEnv } from "../support/wrangler-stand-in-path.ts";

const root = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "tenants-d1-"));
const config = join(dir, "wrangler.toml");
const persistTo = join(dir, "state");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = wranglerStandInEnv(dir);
const where = ["--persist-to", persistTo, "--config", config];
const TENANT = "d1d1d1d1-0000-4000-8000-0000000000d1";
const tenants = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, "src/tools/tenants/main.ts"), ...args, ...where], { encoding: "utf8", env, stdio: ["ignore", "pipe", "pipe"] });
const sql = (command: string) => {
  const result = spawnSync("wrangler", ["d1", "execute", "DB", "--local", ...where, "--json", "--command", command], { encoding: "utf8", env });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout.slice(result.stdout.search(/^\[/m)))[0].results as Record<string, any>[];
};

const userId = (n: number) => `a0000000-0000-4000-8000-00000000000${n}`;
function userRow(n: number, manager: string) {
  const mobile = `1123456789${n}`;
  const resource = JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: mobile, displayName: manager, name: { givenName: "Ann", familyName: `Lee${n}` } });
  return (
    "INSERT INTO users (id, tenant_id, user_name, mobile, external_id, active, manager, version, last_event_id, resource, created_at, updated_at) VALUES " +
    `('${userId(n)}', '${TENANT}', '${mobile}', '${mobile}', '${mobile}', 1, '${manager}', 1, 'e${n}', '${resource}', '2026-11-28T10:00:00.000Z', '2026-11-28T10:00:00.000Z');`
  );
}

beforeAll(() => {
  cpSync(join(root, "wrangler.toml"), config);
  cpSync(join(root, "migrations"), join(dir, "migrations"), { recursive: true });
  const migrations = readdirSync(join(root, "migrations"))
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((f) => readFileSync(join(root, "migrations", f), "utf8").replaceAll("--> statement-breakpoint", ""));
  const seed = [userRow(1, "Ann Manager"), userRow(2, "Ann Manager"), userRow(3, "Bob Boss")];
  writeFileSync(join(dir, "seed.sql"), [...migrations, ...seed].join("\n"));
  const setup = spawnSync("wrangler", ["d1", "execute", "DB", "--local", ...where, "--yes", "--file", join(dir, "seed.sql")], { encoding: "utf8", env });
  expect(setup.status, setup.stderr + setup.stdout).toBe(0);
  // Named, so nothing asks D1 where to put it: placement is tested in tenants-shards-cli.test.ts, its SQL
  // against real D1s in test/http/shard-sizes.test.ts.
  const added = tenants("add", TENANT, "--account", "TM-1001", "--name", "Contoso", "--manager", "Ann Manager", "--manager", "Bob Boss", "--shard", "DB");
  expect(added.status, added.stderr).toBe(0);
}, 30_000);

describe("manager changes reach the users in D1 through wrangler", { timeout: 30_000 }, () => {
  it("--rename-manager moves the users stored under the old name, one pending change event each, valid for the core", () => {
    const renamed = tenants("update", TENANT, "--rename-manager", "Ann Manager=Ann Smith");
    expect(renamed.status, renamed.stderr).toBe(0);
    expect(renamed.stdout).toContain('2 users are stored under "Ann Manager"; moved 2 to "Ann Smith"');
    expect(sql(`SELECT id, manager, version FROM users WHERE tenant_id = '${TENANT}' ORDER BY id`)).toEqual([
      { id: userId(1), manager: "Ann Smith", version: 2 },
      { id: userId(2), manager: "Ann Smith", version: 2 },
      { id: userId(3), manager: "Bob Boss", version: 1 },
    ]);
    const events = sql(`SELECT user_id, type, version, state, payload FROM change_events WHERE tenant_id = '${TENANT}' ORDER BY user_id`);
    expect(events.map((e) => [e.user_id, e.type, e.version, e.state])).toEqual([
      [userId(1), "user.updated", 2, "pending"],
      [userId(2), "user.updated", 2, "pending"],
    ]);
    for (const event of events) {
      const payload = JSON.parse(event.payload);
      expect(CoreEvent.safeParse(payload).success, event.payload).toBe(true);
      expect(payload).toMatchObject({ manager: "Ann Smith", accountId: "TM-1001", user: { displayName: "Ann Manager" } });
    }
  });

  it("--remove-manager says how many users are stored under it, and moves none", () => {
    const removed = tenants("update", TENANT, "--remove-manager", "Bob Boss");
    expect(removed.status, removed.stderr).toBe(0);
    expect(removed.stdout).toContain('1 user is stored under "Bob Boss"');
    expect(sql(`SELECT manager, version FROM users WHERE id = '${userId(3)}'`)).toEqual([{ manager: "Bob Boss", version: 1 }]);
  });
});
