// Section 7: the unique index decides duplicates, and `WHERE version = ?` with a retry keeps every
// concurrent PATCH without losing any.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { connectedTenant, entraUser } from "../support/gateway.ts";

describe("concurrent writes", () => {
  it("gives exactly one 201 and one 409 for two simultaneous POSTs of the same number", async () => {
    const { scim } = await connectedTenant();
    const results = await Promise.all([scim("POST", "/Users", entraUser("11234567890")), scim("POST", "/Users", entraUser("+1 123 456 7890"))]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
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
    const events = await env.DB.prepare("SELECT version FROM change_events WHERE tenant_id = ? AND user_id = ? ORDER BY version")
      .bind(tenantId, id)
      .all<{ version: number }>();
    expect(events.results.map((e) => e.version)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
  });
});
