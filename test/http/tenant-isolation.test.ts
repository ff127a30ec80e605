// Every read and write is scoped by tenant: another tenant's user id answers 404 and reveals nothing.
import { describe, expect, it } from "vitest";
import { connectedTenant, entraUser } from "../support/gateway.ts";

describe("isolation between two tenants", () => {
  it("lets each tenant provision the same number independently", async () => {
    const a = await connectedTenant();
    const b = await connectedTenant();
    expect((await a.scim("POST", "/Users", entraUser("11234567890"))).status).toBe(201);
    expect((await b.scim("POST", "/Users", entraUser("11234567890"))).status).toBe(201);
  });

  it("answers 404 to every method on another tenant's user id and leaves the user untouched", async () => {
    const a = await connectedTenant();
    const b = await connectedTenant();
    const created = await a.scim("POST", "/Users", entraUser("11234567890"));
    const path = `/Users/${created.body.id}`;
    const patch = { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "Replace", path: "active", value: false }] };
    for (const [method, body] of [["GET"], ["PATCH", patch], ["PUT", entraUser("11234567890")], ["DELETE"]] as const) {
      const res = await b.scim(method, path, body);
      expect(res.status, `${method}: ${res.text}`).toBe(404);
      expect(res.text).not.toContain("11234567890");
    }
    const still = await a.scim("GET", path);
    expect(still.body).toMatchObject({ active: true, meta: { version: 'W/"1"' } });
  });

  it("never lists or matches another tenant's users", async () => {
    const a = await connectedTenant();
    const b = await connectedTenant();
    const created = await a.scim("POST", "/Users", entraUser("11234567890"));
    expect((await b.scim("GET", "/Users")).body.totalResults).toBe(0);
    expect((await b.scim("GET", "/Users?filter=userName+eq+%2211234567890%22")).body.totalResults).toBe(0);
    expect((await b.scim("GET", `/Users?filter=id+eq+%22${created.body.id}%22`)).body.totalResults).toBe(0);
  });
});
