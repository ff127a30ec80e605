// Section 7: one atomic batch per write with its change event; each of Entra's lookups is one indexed query.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openDb } from "../../src/db/client.ts";
import { userQueries, type UserMatch } from "../../src/db/user-store.ts";
import { connectedTenant, entraUser } from "../support/gateway.ts";
import { SQL } from "../bench/baseline-worker.ts";
import { testD1 } from "../support/shards.ts";

const eventsOf = async (tenantId: string) =>
  (
    await testD1.prepare("SELECT type, version, payload FROM change_events WHERE tenant_id = ? ORDER BY occurred_at, version")
      .bind(tenantId)
      .all<{ type: string; version: number; payload: string }>()
  ).results.map((e) => ({ ...e, payload: JSON.parse(e.payload) }));

const patch = (...Operations: unknown[]) => ({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations });

describe("change events", () => {
  it("records one event per write with its type and version, and none for a no-op or a refused write", async () => {
    const { tenantId, scim } = await connectedTenant({ managers: ["Ann Manager", "Bob Boss"] });
    const created = await scim("POST", "/Users", entraUser("11234567890"));
    const path = `/Users/${created.body.id}`;
    await scim("PATCH", path, patch({ op: "Replace", path: "name.givenName", value: "Annie" }));
    await scim("PATCH", path, patch({ op: "Replace", path: "name.givenName", value: "Annie" }));
    await scim("PATCH", path, patch({ op: "Replace", path: "displayName", value: "Nobody" }));
    await scim("POST", "/Users", entraUser("11234567890"));
    await scim("PATCH", path, patch({ op: "Replace", path: "active", value: "False" }));
    await scim("PATCH", path, patch({ op: "Replace", path: "active", value: "True" }));
    await scim("PATCH", path, patch({ op: "Replace", path: "displayName", value: "Bob Boss" }));
    await scim("DELETE", path);
    const events = await eventsOf(tenantId);
    expect(events.map((e) => [e.type, e.version])).toEqual([
      ["user.created", 1],
      ["user.updated", 2],
      ["user.deactivated", 3],
      ["user.reactivated", 4],
      ["user.updated", 5],
      ["user.deleted", 6],
    ]);
    expect(events[4]?.payload).toMatchObject({ manager: "Bob Boss", mobile: "11234567890", accountId: "TM-1001", tenantId });
    expect(events[0]?.payload.user).toMatchObject({ givenName: "Ann", workEmail: "ann.lee@contoso.example", active: true });
  });

  it("writes neither the user nor an event when the batch fails on a duplicate", async () => {
    const { tenantId, scim } = await connectedTenant();
    await scim("POST", "/Users", entraUser("11234567890"));
    expect((await scim("POST", "/Users", entraUser("11234567890", { externalId: "other" }))).status).toBe(409);
    const users = await testD1.prepare("SELECT count(*) AS n FROM users WHERE tenant_id = ?").bind(tenantId).first<{ n: number }>();
    expect(users?.n).toBe(1);
    expect((await eventsOf(tenantId)).length).toBe(1);
  });
});

describe("query plans", () => {
  const db = openDb(testD1);
  const plan = async (query: { sql: string; params: unknown[] }) =>
    (await testD1.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).bind(...query.params).all<{ detail: string }>()).results
      .map((r) => r.detail)
      .join("; ");
  const pageOf = (matches: UserMatch[], offset = 0) => userQueries(db, "t", matches, offset, 100).page.toSQL();

  it.each([
    ["userName", [{ mobile: "11234567890" }], "users_tenant_mobile"],
    ["externalId", [{ externalId: "x" }], "users_tenant_external_id_id"],
    ["id", [{ id: "x" }], "sqlite_autoindex_users_1"],
    ["userName and externalId", [{ mobile: "11234567890" }, { externalId: "x" }], "users_tenant_"],
  ] as [string, UserMatch[], string][])("looks a user up by %s through an index, not a scan", async (_name, matches, indexName) => {
    const detail = await plan(pageOf(matches));
    expect(detail).toContain(indexName);
    expect(detail).not.toMatch(/SCAN users(?! USING)/);
  });

  it("pages a tenant's users in id order through an index, without sorting, at any offset", async () => {
    for (const offset of [0, 90_000]) {
      const detail = await plan(pageOf([], offset));
      expect(detail).toContain("users_tenant_id");
      expect(detail).not.toContain("TEMP B-TREE");
    }
    expect(await plan(userQueries(db, "t", [], 0, 100).count.toSQL())).toMatch(/SEARCH users USING (COVERING )?INDEX users_tenant_/);
  });

  // Issue 11 §3: the quota is one primary-key read of the tenant's running count, never a count of its users.
  // The SQL is the create's and the delete's own: the bench checks, statement by statement, that the
  // gateway runs exactly these (test/bench/baseline-worker.ts).
  it.each([
    ["the create's quota check", SQL.insertUserWithinQuota, 14],
    ["the create's count", SQL.countCreated, 3],
    ["the delete's count", SQL.countDeleted, 4],
  ] as const)("runs %s on primary keys, without scanning users", async (_name, sql, params) => {
    const detail = await plan({ sql, params: Array.from({ length: params }, () => "x") });
    expect(detail).not.toMatch(/SCAN (users|tenant_usage)\b(?! USING)/);
    expect(detail).toMatch(/SEARCH (tenant_usage|users) USING (INDEX sqlite_autoindex|INTEGER PRIMARY KEY|PRIMARY KEY|COVERING INDEX sqlite_autoindex)/);
  });
});
