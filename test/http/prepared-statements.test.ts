// The write statements Drizzle writes once and each request binds (src/db/prepared.ts, issue 13 §5) bind a
// row exactly as Drizzle's own insert binds it: same SQLite types and values in every column (a boolean as
// 0/1, the resource as JSON text, a missing externalId as NULL). They replaced Drizzle internals (its
// prepared statement's `stmt`, fillPlaceholders, Param) with its public toSQL() and the columns'
// mapToDriverValue; this is what a mistake in that encoding would break.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openDb } from "../../src/db/client.ts";
import { users, type UserRow } from "../../src/db/schema.ts";
import { insertUserWithinQuota, updateUserIfVersion } from "../../src/db/user-store.ts";
import { newTenantId } from "../support/gateway.ts";
import { testD1 } from "../support/shards.ts";

const COLUMNS = "id, tenant_id, user_name, mobile, external_id, active, manager, version, last_event_id, resource, created_at, updated_at";

async function stored(id: string) {
  const typed = COLUMNS.split(", ")
    .map((c) => `typeof(${c}) AS ${c}_type, ${c}`)
    .join(", ");
  const row = await testD1.prepare(`SELECT ${typed} FROM users WHERE id = ?`).bind(id).first<Record<string, unknown>>();
  const { id: _id, ...rest } = row ?? {};
  return rest;
}

function userRow(tenantId: string, overrides: Partial<UserRow>): UserRow {
  const at = "2031-02-03T04:05:06.789Z";
  return {
    id: crypto.randomUUID(),
    tenantId,
    userName: "441234567890",
    mobile: "441234567890",
    externalId: null,
    active: false,
    manager: "Ann Manager",
    version: 1,
    lastEventId: crypto.randomUUID(),
    resource: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "441234567890", active: false, name: { givenName: "Ann" } },
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

describe("statements prepared once and bound per request", () => {
  it("store a user's row with the same SQLite types and values as Drizzle's own insert", async () => {
    const db = openDb(testD1);
    const tenantA = newTenantId();
    const tenantB = newTenantId();
    const viaTemplate = userRow(tenantA, { mobile: "441234567890" });
    const viaDrizzle = userRow(tenantB, { ...viaTemplate, id: crypto.randomUUID(), tenantId: tenantB });
    await db.$client.batch([insertUserWithinQuota(db, viaTemplate, 10)]);
    await db.insert(users).values(viaDrizzle);
    const { tenant_id: _a, ...a } = await stored(viaTemplate.id);
    const { tenant_id: _b, ...b } = await stored(viaDrizzle.id);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ active: 0, active_type: "integer", resource_type: "text", external_id_type: "null" });
  });

  it("update a user's row as Drizzle's own update does", async () => {
    const db = openDb(testD1);
    const tenantId = newTenantId();
    const first = userRow(tenantId, { active: false });
    await db.insert(users).values(first);
    const next = { ...first, active: true, externalId: "ext-1", version: 2, resource: { ...first.resource, active: true } };
    const [result] = await db.$client.batch([updateUserIfVersion(db, next, 1)]);
    expect(result?.meta.changes).toBe(1);
    const twin = userRow(tenantId, { ...next, id: crypto.randomUUID(), mobile: "441234567891" });
    await db.insert(users).values(twin);
    const { mobile: _m1, ...updated } = await stored(first.id);
    const { mobile: _m2, ...inserted } = await stored(twin.id);
    expect(updated).toEqual(inserted);
    expect(updated).toMatchObject({ active: 1, external_id: "ext-1", version: 2 });
  });
});
