// The simulator speaks both of Entra's request shapes, and asks only for what differs.
import { describe, expect, it } from "vitest";
import type { DirectoryUser } from "../../src/tools/entra-sim/directory.ts";
import { createRequest, filterRequest, patchRequest, testConnectionRequests } from "../../src/tools/entra-sim/entra-shapes.ts";
import { diffUser } from "../../src/tools/entra-sim/user-diff.ts";

const USER: DirectoryUser = {
  mobile: "441234567890",
  givenName: "Zoë",
  familyName: "Berg",
  mail: "zoe.berg@contoso.example",
  manager: "Ann Manager",
  active: true,
};

describe("Entra request shapes", () => {
  it("legacy creates send the strings \"True\"/\"False\" and only the core schema", () => {
    const body = createRequest({ ...USER, active: false }, "legacy").body as Record<string, unknown>;
    expect(body).toMatchObject({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "441234567890",
      externalId: "441234567890",
      active: "False",
      displayName: "Ann Manager",
      emails: [{ primary: "True", type: "work", value: "zoe.berg@contoso.example" }],
      name: { givenName: "Zoë", familyName: "Berg" },
    });
    expect(body).not.toHaveProperty("roles");
  });

  it("aadOptscim062020 creates send booleans, the enterprise schema, meta and roles, and no emails without mail", () => {
    const body = createRequest({ ...USER, mail: undefined }, "aadOptscim062020").body as Record<string, unknown>;
    expect(body).toMatchObject({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
      active: true,
      meta: { resourceType: "User" },
      roles: [],
    });
    expect(body).not.toHaveProperty("emails");
  });

  it("writes PATCH ops capitalised with string booleans (legacy) or lower-case with booleans (aadOptscim062020)", () => {
    const ops = [
      { op: "replace" as const, path: "active", value: false },
      { op: "add" as const, path: 'emails[type eq "work"].value', value: "new@contoso.example" },
    ];
    expect(patchRequest("u-1", ops, "legacy")).toMatchObject({
      method: "PATCH",
      path: "/Users/u-1",
      body: { Operations: [{ op: "Replace", path: "active", value: "False" }, { op: "Add", value: "new@contoso.example" }] },
    });
    expect(patchRequest("u-1", ops, "aadOptscim062020").body).toMatchObject({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "active", value: false }, { op: "add" }],
    });
  });

  it("matches by userName with a quoted, form-encoded eq filter, and probes Users and Groups with a GUID", () => {
    expect(filterRequest("441234567890").path).toBe("/Users?filter=userName+eq+%22441234567890%22");
    const probes = testConnectionRequests("9c1b7f3e-2d4a-4c55-9a0e-0f1e2d3c4b5a");
    expect(probes.map((p) => p.path)).toEqual([
      "/Users?filter=userName+eq+%229c1b7f3e-2d4a-4c55-9a0e-0f1e2d3c4b5a%22",
      "/Groups?excludedAttributes=members&filter=displayName+eq+%229c1b7f3e-2d4a-4c55-9a0e-0f1e2d3c4b5a%22",
    ]);
  });
});

describe("differences Entra sends", () => {
  const stored = {
    id: "u-1",
    userName: "441234567890",
    externalId: "441234567890",
    active: true,
    displayName: "Ann Manager",
    name: { givenName: "Zoë", familyName: "Berg" },
    emails: [{ type: "work", value: "zoe.berg@contoso.example", primary: true }],
    meta: { version: 'W/"1"' },
  };

  it("asks for nothing when the gateway already holds the directory's values", () => {
    expect(diffUser(stored, USER)).toEqual([]);
  });

  it("replaces what changed and adds what the gateway lacks", () => {
    const { emails: _none, ...withoutMail } = stored;
    expect(diffUser(withoutMail, { ...USER, familyName: "Lee", manager: "Bob Boss", active: false })).toEqual([
      { op: "replace", path: "active", value: false },
      { op: "replace", path: "displayName", value: "Bob Boss" },
      { op: "replace", path: "name.familyName", value: "Lee" },
      { op: "add", path: 'emails[type eq "work"].value', value: "zoe.berg@contoso.example" },
    ]);
  });
});
