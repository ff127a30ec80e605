// Section 7: the unique index decides duplicates, and `WHERE version = ?` with a retry keeps every
// concurrent PATCH without losing any.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { connectedTenant, entraUser } from "../support/gateway.ts";
import { testD1 } from "../support/shards.ts";

describe("concurrent writes", () => {
  it("gives exactly one 201 and one 409 for two simultaneous POSTs of the same number", async () => {
    const { scim } = await connectedTenant();
    const results = await Promise.all([scim("POST", "/Users", entraUser("11234567890")), scim("POST", "/Users", entraUser("+1 123 456 7890"))]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it("gives exactly one 201 for 50 simultaneous POSTs of one number, and 409 uniqueness to the rest", async () => {
    const { tenantId, scim } = await connectedTenant();
    const results = await Promise.all(Array.from({ length: 50 }, () => scim("POST", "/Users", entraUser("11234567890"))));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const events = await testD1.prepare("SELECT count(*) AS n FROM change_events WHERE tenant_id = ?").bind(tenantId).first<{ n: number }>();
    expect(events?.n).toBe(1);
  });

  it("applies every one of 10 simultaneous PATCHes of one user, each as its own version and event", async () => {
    const { tenantId, scim } = await connectedTenant();
    const created = await scim("POST", "/Users", entraUser("11234567890"));
    const id = created.body.id as string;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        scim("PATCH", `/Users/${id}`, {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
          Operations: [{ op: "Add", path: `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter${i}`, value: `cc${i}` }],
        }),
      ),
    );
    for (const r of results) expect(r.status, r.text).toBe(200);
    const final = await scim("GET", `/Users/${id}`);
    expect(final.body.meta.version).toBe('W/"11"');
    const enterprise = final.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"];
    for (let i = 0; i < 10; i++) expect(enterprise[`costCenter${i}`]).toBe(`cc${i}`);
    const events = await testD1.prepare("SELECT version FROM change_events WHERE tenant_id = ? AND user_id = ? ORDER BY version")
      .bind(tenantId, id)
      .all<{ version: number }>();
    expect(events.results.map((e) => e.version)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
  });

  it("applies 50 simultaneous PATCHes in some serial order: versions 2..51, one event each, state of the last", async () => {
    const { tenantId, scim } = await connectedTenant();
    const created = await scim("POST", "/Users", entraUser("11234567890"));
    const id = created.body.id as string;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        scim("PATCH", `/Users/${id}`, {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
          Operations: [{ op: "Replace", path: "name.givenName", value: `Name ${i}` }],
        }),
      ),
    );
    for (const r of results) expect(r.status, r.text).toBe(200);
    // Each response shows the state its own write produced; versions are a permutation of 2..51.
    const versions = results.map((r) => Number(/\d+/.exec(r.body.meta.version)?.[0])).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    const events = await testD1.prepare(
      "SELECT version, json_extract(payload, '$.user.givenName') AS givenName FROM change_events WHERE tenant_id = ? AND user_id = ? ORDER BY version",
    )
      .bind(tenantId, id)
      .all<{ version: number; givenName: string }>();
    expect(events.results.map((e) => e.version)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    const last = events.results.at(-1)!;
    const final = await scim("GET", `/Users/${id}`);
    expect(final.body.name.givenName).toBe(last.givenName);
    expect(final.body.meta.version).toBe('W/"51"');
    // The write that produced version v answered with the name it set, and that event carries the same name.
    for (const r of results) {
      const v = Number(/\d+/.exec(r.body.meta.version)?.[0]);
      expect(events.results.find((e) => e.version === v)?.givenName).toBe(r.body.name.givenName);
    }
  }, 60_000);
});
