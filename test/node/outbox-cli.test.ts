// `npm run outbox`, end to end: node runs src/tools/outbox/main.ts, which drives `wrangler d1 execute` against
// the local D1s of both shards (DB, DB_2) in a throwaway directory (its own copy of wrangler.toml and
// migrations, its own --persist-to), never the developer's .wrangler state. The program `wrangler` is the
// stand-in (test/support/wrangler-stand-in.mjs), held to real wrangler by test/node/wrangler-contract.test.ts.
// Argument handling is checked without wrangler.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT_USAGE, runOutboxCli } from "../../src/tools/outbox/cli.ts";
import { d1Args } from "../../src/tools/wrangler/d1.ts";
import { wranglerStandInEnv } from "../support/wrangler-stand-in-path.ts";

const root = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "outbox-cli-"));
const config = join(dir, "wrangler.toml");
const persistTo = join(dir, "state");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = wranglerStandInEnv(dir);
const where = ["--persist-to", persistTo, "--config", config];
const outbox = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, "src/tools/outbox/main.ts"), ...args, ...where], { encoding: "utf8", env, stdio: ["ignore", "pipe", "pipe"] });

const TENANT_A = "0a0a0a0a-0000-4000-8000-00000000000a";
const TENANT_B = "0b0b0b0b-0000-4000-8000-00000000000b";
const id = (n: number) => `e0000000-0000-4000-8000-00000000000${n}`;

function row(n: number, tenant: string, state: string, mobile: string, lastStatus: number | null, lastError: string | null) {
  const payload = JSON.stringify({ eventId: id(n), mobile }).replace(/'/g, "''");
  const text = (v: string | number | null) => (v === null ? "NULL" : typeof v === "number" ? String(v) : `'${v.replace(/'/g, "''")}'`);
  return (
    "INSERT INTO change_events (id, tenant_id, user_id, type, version, occurred_at, payload, state, attempts, last_status, last_error) VALUES " +
    `('${id(n)}', '${tenant}', 'u${n}', 'user.updated', ${n}, '2026-11-28T10:00:0${n}.000Z', '${payload}', '${state}', 3, ${text(lastStatus)}, ${text(lastError)});`
  );
}

beforeAll(() => {
  cpSync(join(root, "wrangler.toml"), config);
  cpSync(join(root, "migrations"), join(dir, "migrations"), { recursive: true });
  const migrations = readdirSync(join(root, "migrations"))
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((f) => readFileSync(join(root, "migrations", f), "utf8").replaceAll("--> statement-breakpoint", ""));
  const seed = (rows: string[]) => {
    writeFileSync(join(dir, "seed.sql"), [...migrations, ...rows].join("\n"));
  };
  const load = (shard: string) => {
    const setup = spawnSync("wrangler", ["d1", "execute", shard, "--local", ...where, "--yes", "--file", join(dir, "seed.sql")], { encoding: "utf8", env });
    expect(setup.status, setup.stderr + setup.stdout).toBe(0);
  };
  // Tenant A on the first shard, tenant B on the second (issue 15 §2).
  seed([
    row(1, TENANT_A, "failed", "441234567890", 400, "HTTP 400: mobile: invalid"),
    row(2, TENANT_A, "failed", "11234567890", 500, "retries exhausted; last: HTTP 500"),
    row(3, TENANT_A, "delivered", "11234567891", 200, null),
  ]);
  load("DB");
  seed([row(4, TENANT_B, "failed", "85212345678", 422, "HTTP 422"), row(5, TENANT_B, "pending", "85212345679", null, null)]);
  load("DB_2");
}, 30_000);

describe("npm run outbox on the local D1s of two shards", { timeout: 30_000 }, () => {
  it("failed lists every shard's, oldest first, each with its shard, with masked numbers, and never a number in clear", () => {
    const result = outbox("failed", "--json");
    expect(result.status, result.stderr).toBe(0);
    const { events } = JSON.parse(result.stdout);
    expect(events.map((e: { id: string; shard: string; mobile: string; last_status: number }) => [e.id, e.shard, e.mobile, e.last_status])).toEqual([
      [id(1), "DB", "4412******90", 400],
      [id(2), "DB", "1123*****90", 500],
      [id(4), "DB_2", "8521*****78", 422],
    ]);
    for (const number of ["441234567890", "11234567890", "85212345678"]) expect(result.stdout).not.toContain(number);
  });

  it("redrive by id, then by tenant, puts exactly those failed events back to pending in their shards; status counts each shard", () => {
    const byId = outbox("redrive", "--id", id(1), "--json");
    expect(byId.status, byId.stderr).toBe(0);
    expect(JSON.parse(byId.stdout).redriven).toEqual([{ shard: "DB", id: id(1), tenant_id: TENANT_A, type: "user.updated", version: 1 }]);

    const byTenant = outbox("redrive", "--tenant", TENANT_B);
    expect(byTenant.status, byTenant.stderr).toBe(0);
    expect(byTenant.stdout).toContain("Redrove 1 failed event");
    expect(byTenant.stdout).toMatch(new RegExp(`${id(4)}\\s+DB_2\\s`));

    const status = outbox("status");
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/DB\s+delivered\s+1/);
    expect(status.stdout).toMatch(/DB\s+failed\s+1/);
    expect(status.stdout).toMatch(/DB\s+pending\s+1/);
    expect(status.stdout).toMatch(/DB_2\s+pending\s+2/);
    expect(status.stdout).toContain("npm run outbox -- redrive");

    const second = outbox("status", "--shard", "DB_2", "--json");
    expect(second.status, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).shards).toEqual([{ shard: "DB_2", states: [{ state: "pending", count: 2, oldest: expect.any(String) }] }]);
  });
});

describe("npm run outbox arguments and output", () => {
  const run = async (argv: string[], rows: unknown[] = []) => {
    const queries: string[] = [];
    let stdout = "";
    let stderr = "";
    const code = await runOutboxCli(argv, {
      query: async <Row>(_target: unknown, sql: string) => {
        queries.push(sql);
        return rows as Row[];
      },
      shards: () => ["DB"],
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
    });
    return { code, queries, stdout, stderr };
  };
  const failedRow = { id: id(1), tenant_id: TENANT_A, user_id: "u1", type: "user.updated", version: 2, occurred_at: "2026-11-28T10:00:00.000Z", attempts: 3, last_status: 400, last_error: "HTTP 400", mobile: "441234567890" };

  it("masks numbers in the failed list unless --show-numbers", async () => {
    const masked = await run(["failed"], [failedRow]);
    expect(masked.stdout).toContain("4412******90");
    expect(masked.stdout).not.toContain("441234567890");
    expect((await run(["failed", "--show-numbers"], [failedRow])).stdout).toContain("441234567890");
  });

  it("refuses a redrive without a scope, before touching the database", async () => {
    expect(await run(["redrive"])).toMatchObject({ code: EXIT_USAGE, queries: [] });
  });

  it("refuses an id or tenant that is not a GUID (nothing else reaches the SQL)", async () => {
    const result = await run(["redrive", "--id", "x' OR 1=1 --"]);
    expect(result).toMatchObject({ code: EXIT_USAGE, queries: [] });
    expect(result.stderr).toContain("--id must be a GUID");
  });

  it("refuses a --shard that is not a shard name, or not one of the environment's, before touching the database", async () => {
    expect(await run(["status", "--shard", "TENANTS"])).toMatchObject({ code: EXIT_USAGE, queries: [] });
    const undeclared = await run(["status", "--shard", "DB_3"]);
    expect(undeclared).toMatchObject({ code: EXIT_USAGE, queries: [] });
    expect(undeclared.stderr).toContain("wrangler.toml declares DB");
  });

  it("--remote needs --env, so production is never reached by accident", async () => {
    expect(await run(["status", "--remote"])).toMatchObject({ code: EXIT_USAGE, queries: [] });
  });

  it("targets Cloudflare's D1 of the environment with --remote --env", () => {
    expect(d1Args({ remote: true, env: "production" }, "SELECT 1")).toEqual([
      "d1", "execute", "DB", "--remote", "--env", "production", "--json", "--yes", "--command", "SELECT 1",
    ]);
  });
});
