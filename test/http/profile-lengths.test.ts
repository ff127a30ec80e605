// Bounds on the profile values (src/users/profile-lengths.ts): a request that sets a value past its bound is
// refused with a detail naming the attribute; a value already stored (a user provisioned before the bounds
// existed) is left alone, so that user can still be disabled, changed and deleted: leavers always leave.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { connectedTenant, entraUser } from "../support/gateway.ts";

const patch = (...Operations: unknown[]) => ({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations });

describe("profile value lengths", () => {
  it("refuses a create, a PUT and a PATCH that set a value past its bound, naming the attribute", async () => {
    const tenant = await connectedTenant({ managers: undefined });
    const tooLong = await tenant.scim("POST", "/Users", entraUser("11234567890", { name: { givenName: "g".repeat(129) } }));
    expect(tooLong.status, tooLong.text).toBe(400);
    expect(tooLong.body.detail).toMatch(/^name\.givenName is longer than 128 characters/);
    const created = await tenant.scim("POST", "/Users", entraUser("11234567890"));
    expect(created.status, created.text).toBe(201);
    const put = await tenant.scim("PUT", `/Users/${created.body.id}`, entraUser("11234567890", { displayName: "d".repeat(257) }));
    expect(put.body.detail, put.text).toMatch(/^displayName is longer than 256 characters/);
    const patched = await tenant.scim("PATCH", `/Users/${created.body.id}`, patch({ op: "Add", path: "emails", value: [{ type: "home", value: `${"m".repeat(250)}@x.example` }] }));
    expect(patched.body.detail, patched.text).toMatch(/^emails\.value is longer than 256 characters/);
  });

  it("still disables, changes and deletes a user stored with a value past its bound before the bounds existed", async () => {
    const tenant = await connectedTenant({ managers: undefined });
    const created = await tenant.scim("POST", "/Users", entraUser("11234567890"));
    const legacyExternalId = "x".repeat(300);
    const row = await env.DB.prepare("SELECT resource FROM users WHERE id = ?").bind(created.body.id).first<{ resource: string }>();
    const resource = { ...JSON.parse(row!.resource), externalId: legacyExternalId };
    await env.DB.prepare("UPDATE users SET resource = ?, external_id = ? WHERE id = ?").bind(JSON.stringify(resource), legacyExternalId, created.body.id).run();

    const disabled = await tenant.scim("PATCH", `/Users/${created.body.id}`, patch({ op: "Replace", path: "active", value: "False" }));
    expect(disabled.status, disabled.text).toBe(200);
    expect(disabled.body).toMatchObject({ active: false, externalId: legacyExternalId });
    const renamed = await tenant.scim("PATCH", `/Users/${created.body.id}`, patch({ op: "Replace", path: "name.givenName", value: "Annie" }));
    expect(renamed.status, renamed.text).toBe(200);
    const replaced = await tenant.scim("PATCH", `/Users/${created.body.id}`, patch({ op: "Replace", path: "externalId", value: "y".repeat(300) }));
    expect(replaced.status, "a new value past the bound is still refused").toBe(400);
    expect((await tenant.scim("DELETE", `/Users/${created.body.id}`)).status).toBe(204);
  });
});
