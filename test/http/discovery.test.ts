// RFC 7644 §4 discovery documents: what the gateway really supports, and nothing about any tenant.
import { describe, expect, it } from "vitest";
import { call } from "../support/gateway.ts";

describe("discovery", () => {
  it("declares PATCH and filtering, and no bulk, sort, ETag or password change", async () => {
    const res = await call("GET", "/ServiceProviderConfig");
    expect(res.body).toMatchObject({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: 500 },
      sort: { supported: false },
      etag: { supported: false },
      changePassword: { supported: false },
    });
    expect(res.body.authenticationSchemes[0].type).toBe("oauthbearertoken");
  });

  it("lists the User resource type with the enterprise extension", async () => {
    const list = await call("GET", "/ResourceTypes");
    expect(list.body).toMatchObject({ totalResults: 1, Resources: [{ id: "User", endpoint: "/Users" }] });
    expect((await call("GET", "/ResourceTypes/User")).body.schema).toBe("urn:ietf:params:scim:schemas:core:2.0:User");
    expect((await call("GET", "/ResourceTypes/Group")).status).toBe(404);
  });

  it("describes exactly the profile's attributes in /Schemas, as a ListResponse", async () => {
    const list = await call("GET", "/Schemas");
    expect(list.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:ListResponse"]);
    const user = await call("GET", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User");
    expect(user.body.attributes.map((a: { name: string }) => a.name)).toEqual([
      "userName",
      "externalId",
      "displayName",
      "active",
      "name",
      "emails",
    ]);
    expect((await call("GET", "/Schemas/urn:example:nope")).status).toBe(404);
  });
});
