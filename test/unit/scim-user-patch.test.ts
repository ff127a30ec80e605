import { describe, expect, it } from "vitest";
import { ScimError } from "../../src/scim/scim-error.ts";
import { ENTERPRISE_USER_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA } from "../../src/scim/uris.ts";
import { applyUserPatch, isSameResource } from "../../src/scim/user-patch.ts";

const ENTERPRISE = ENTERPRISE_USER_SCHEMA;

function stored(): Record<string, unknown> {
  return {
    schemas: [USER_SCHEMA],
    userName: "441234567890",
    externalId: "441234567890",
    active: true,
    displayName: "Ann Lee",
    name: { givenName: "Ann", familyName: "Lee" },
    emails: [{ type: "work", value: "ann@contoso.example", primary: true }],
  };
}

function patch(operations: unknown[], resource: Record<string, unknown> = stored()): Record<string, unknown> {
  return applyUserPatch(resource, { schemas: [PATCH_OP_SCHEMA], Operations: operations });
}

function failure(run: () => unknown): ScimError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw new Error(`expected a ScimError, got ${String(error)}`);
  }
  throw new Error("expected a ScimError");
}

describe("applyUserPatch: the PatchOp message (RFC 7644 §3.5.2)", () => {
  // "The body of each request MUST contain the "schemas" attribute with the URI value of
  // "urn:ietf:params:scim:api:messages:2.0:PatchOp"."
  it("rejects a body without the PatchOp schema as invalidSyntax", () => {
    const error = failure(() => applyUserPatch(stored(), { Operations: [{ op: "replace", path: "active", value: false }] }));
    expect(error.scimType).toBe("invalidSyntax");
    expect(error.detail).toContain(PATCH_OP_SCHEMA);
  });

  it.each([[undefined], [[]], [{}], ["replace"]])("rejects Operations %j as invalidSyntax", (operations) => {
    const error = failure(() => applyUserPatch(stored(), { schemas: [PATCH_OP_SCHEMA], Operations: operations }));
    expect(error.scimType).toBe("invalidSyntax");
  });

  it.each([[null], [[]], ["text"]])("rejects the body %j as invalidSyntax", (body) => {
    expect(failure(() => applyUserPatch(stored(), body)).scimType).toBe("invalidSyntax");
  });

  it("accepts 100 operations and rejects 101 as tooMany", () => {
    const ops = (n: number) => Array.from({ length: n }, (_, i) => ({ op: "replace", path: "displayName", value: `v${i}` }));
    expect(patch(ops(100)).displayName).toBe("v99");
    expect(failure(() => patch(ops(101))).scimType).toBe("tooMany");
  });

  it.each([["copy"], ["move"], [""], [7]])("rejects op %j as invalidSyntax", (op) => {
    expect(failure(() => patch([{ op, path: "active", value: false }])).scimType).toBe("invalidSyntax");
  });

  // RFC 7644 §3.5.2.2: "If "path" is unspecified, the operation fails with HTTP status code 400 and a
  // "scimType" error code of "noTarget"."
  it("rejects remove without a path as noTarget", () => {
    expect(failure(() => patch([{ op: "remove" }])).scimType).toBe("noTarget");
  });

  // RFC 7644 §3.5.2.1: "The operation MUST contain a "value" member whose content specifies the value to be added."
  it("rejects add and replace without a value as invalidValue", () => {
    expect(failure(() => patch([{ op: "add", path: "displayName" }])).scimType).toBe("invalidValue");
    expect(failure(() => patch([{ op: "replace" }])).scimType).toBe("invalidValue");
  });

  it("rejects a path-less add whose value is not an object", () => {
    expect(failure(() => patch([{ op: "add", value: "Ann" }])).scimType).toBe("invalidValue");
  });

  it("never mutates the stored resource", () => {
    const resource = stored();
    const before = structuredClone(resource);
    patch([{ op: "Replace", path: "name.givenName", value: "Bo" }, { op: "Remove", path: "emails" }], resource);
    expect(resource).toEqual(before);
  });
});

describe("applyUserPatch: Entra ID's request shapes", () => {
  it("applies Entra's legacy disable: Replace active with the string \"False\"", () => {
    const result = applyUserPatch(stored(), {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    });
    expect(result.active).toBe(false);
  });

  it.each([["True", true], ["true", true], ["FALSE", false], [false, false]])("reads active %j as %j", (value, active) => {
    expect(patch([{ op: "replace", path: "active", value }]).active).toBe(active);
  });

  it.each([["Add"], ["add"], ["ADD"], ["Replace"], ["REPLACE"], ["replace"]])("accepts op %j in any case", (op) => {
    expect(patch([{ op, path: "displayName", value: "Bo Lee" }]).displayName).toBe("Bo Lee");
  });

  it("treats Add on a single-valued attribute as a replace", () => {
    expect(patch([{ op: "Add", path: "externalId", value: "x-1" }]).externalId).toBe("x-1");
  });

  it("creates the work e-mail on Add emails[type eq \"work\"].value when the user has none", () => {
    const resource = { ...stored(), emails: [{ type: "home", value: "h@b.example" }] };
    const result = patch([{ op: "Add", path: 'emails[type eq "work"].value', value: "a@b.example" }], resource);
    expect(result.emails).toEqual([{ type: "home", value: "h@b.example" }, { type: "work", value: "a@b.example" }]);
  });

  it("creates the work e-mail on Replace emails[type eq \"work\"].value when the user has no e-mails at all", () => {
    const { emails: _, ...resource } = stored();
    const result = patch([{ op: "Replace", path: 'emails[type eq "work"].value', value: "a@b.example" }], resource);
    expect(result.emails).toEqual([{ type: "work", value: "a@b.example" }]);
  });

  it("creates the work e-mail on Replace emails[type eq \"work\"].value when only a home e-mail exists", () => {
    const resource = { ...stored(), emails: [{ type: "home", value: "h@b.example" }] };
    const result = patch([{ op: "Replace", path: 'emails[type eq "work"].value', value: "a@b.example" }], resource);
    expect(result.emails).toEqual([{ type: "home", value: "h@b.example" }, { type: "work", value: "a@b.example" }]);
  });

  it("updates the existing work e-mail in place", () => {
    const result = patch([{ op: "Replace", path: 'emails[type eq "work"].value', value: "new@b.example" }]);
    expect(result.emails).toEqual([{ type: "work", value: "new@b.example", primary: true }]);
  });

  it("expands a path-less Replace with dotted keys into one operation per attribute", () => {
    const result = patch([{ op: "Replace", value: { "name.givenName": "Ann", "name.familyName": "Lee", active: false } }]);
    expect(result.name).toEqual({ givenName: "Ann", familyName: "Lee" });
    expect(result.active).toBe(false);
  });

  it("expands a path-less value with URN-qualified core and enterprise keys", () => {
    const result = patch([
      {
        op: "Add",
        value: {
          "urn:ietf:params:scim:schemas:core:2.0:User:userName": "85212345678",
          "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Sales",
          displayName: "Ann B. Lee",
        },
      },
    ]);
    expect(result.userName).toBe("85212345678");
    expect(result[ENTERPRISE]).toEqual({ department: "Sales" });
    expect(result.displayName).toBe("Ann B. Lee");
  });

  it("expands a path-less value holding the whole enterprise extension", () => {
    const result = patch([{ op: "replace", value: { [ENTERPRISE]: { department: "Sales", manager: "m-1" } } }]);
    expect(result[ENTERPRISE]).toEqual({ department: "Sales", manager: { value: "m-1" } });
  });

  it("stores an enterprise-extension attribute under the extension's URN", () => {
    const result = patch([{ op: "Add", path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", value: "Sales" }]);
    expect(result[ENTERPRISE]).toEqual({ department: "Sales" });
  });

  it("stores the manager given as Entra's id string, or as a complex value, as { value }", () => {
    expect(patch([{ op: "Add", path: `${ENTERPRISE}:manager`, value: "m-1" }])[ENTERPRISE]).toEqual({ manager: { value: "m-1" } });
    expect(patch([{ op: "Replace", path: `${ENTERPRISE}:manager`, value: { value: "m-2" } }])[ENTERPRISE]).toEqual({
      manager: { value: "m-2" },
    });
  });

  it("replaces an existing manager with Entra's Add of a new id string", () => {
    const resource = { ...stored(), [ENTERPRISE]: { manager: { value: "m-1" } } };
    expect(patch([{ op: "Add", path: `${ENTERPRISE}:manager`, value: "m-2" }], resource)[ENTERPRISE]).toEqual({
      manager: { value: "m-2" },
    });
  });

  it("removes the manager when Entra sends Remove with the old manager as value, dropping the empty extension", () => {
    const resource = { ...stored(), [ENTERPRISE]: { manager: { value: "m-1" } } };
    const result = patch([{ op: "Remove", path: `${ENTERPRISE}:manager`, value: [{ value: "m-1" }] }], resource);
    expect(result[ENTERPRISE]).toBeUndefined();
  });

  it("removes externalId on Remove without a value", () => {
    expect(patch([{ op: "Remove", path: "externalId" }])).not.toHaveProperty("externalId");
  });

  it("removes the work e-mail on remove with a filter and a value, the filter deciding", () => {
    const result = patch([{ op: "remove", path: 'emails[type eq "work"]', value: [{ value: "a@b.example" }] }]);
    expect(result).not.toHaveProperty("emails");
  });

  it("removes from a multi-valued attribute the items that match the given sub-attributes", () => {
    const resource = { ...stored(), emails: [{ type: "work", value: "a@b.example" }, { type: "home", value: "h@b.example" }] };
    const result = patch([{ op: "Remove", path: "emails", value: [{ value: "a@b.example" }] }], resource);
    expect(result.emails).toEqual([{ type: "home", value: "h@b.example" }]);
  });

  // RFC 7644 §3.5.2.2: "If no other values remain after removal of the selected values, the multi-valued
  // attribute SHALL be considered unassigned."
  it("unassigns a multi-valued attribute whose last value is removed", () => {
    expect(patch([{ op: "Remove", path: "emails", value: { value: "ann@contoso.example" } }])).not.toHaveProperty("emails");
  });

  it.each([
    [{ op: "Remove", path: "title" }],
    [{ op: "Remove", path: 'addresses[type eq "work"]' }],
    [{ op: "Remove", path: 'emails[type eq "home"]' }],
    [{ op: "Remove", path: 'emails[type eq "home"].value' }],
    [{ op: "Remove", path: "name.middleName" }],
    [{ op: "Remove", path: `${ENTERPRISE}:manager`, value: "m-1" }],
    [{ op: "Remove", path: "phoneNumbers", value: [{ value: "x" }] }],
  ])("treats removing something absent as a no-op: %j", (operation) => {
    expect(isSameResource(patch([operation]), stored())).toBe(true);
  });

  it("accepts and stores attributes outside TeleMessage's profile", () => {
    const result = patch([
      { op: "Add", path: 'addresses[type eq "work"].formatted', value: "1 Main St" },
      { op: "Add", path: 'phoneNumbers[type eq "mobile"].value', value: "+44 1234 567890" },
      { op: "Replace", path: "title", value: "CFO" },
      { op: "Add", path: "preferredLanguage", value: "en-GB" },
      { op: "Add", path: "roles", value: [{ value: "Admin" }] },
      { op: "Add", path: "urn:example:params:scim:schemas:extension:custom:2.0:User:costCode", value: "CC-9" },
    ]);
    expect(result.addresses).toEqual([{ type: "work", formatted: "1 Main St" }]);
    expect(result.phoneNumbers).toEqual([{ type: "mobile", value: "+44 1234 567890" }]);
    expect(result.title).toBe("CFO");
    expect(result.preferredLanguage).toBe("en-GB");
    expect(result.roles).toEqual([{ value: "Admin" }]);
    expect(result["urn:example:params:scim:schemas:extension:custom:2.0:User"]).toEqual({ costCode: "CC-9" });
  });

  it("accepts paths with the core schema URN prefix", () => {
    expect(patch([{ op: "Replace", path: "urn:ietf:params:scim:schemas:core:2.0:User:displayName", value: "Bo" }]).displayName).toBe("Bo");
    const result = patch([{ op: "Replace", path: "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName", value: "Bo" }]);
    expect(result.name).toEqual({ givenName: "Bo", familyName: "Lee" });
  });

  // RFC 7643 §2.1: "Attribute names are case insensitive".
  it.each([
    ["username", "userName"],
    ["EXTERNALID", "externalId"],
    ["displayname", "displayName"],
    ["Active", "active"],
  ])("matches %j case-insensitively and stores it as %j", (path, canonical) => {
    const result = patch([{ op: "Replace", path, value: path === "Active" ? false : "v" }]);
    expect(result[canonical]).toBe(path === "Active" ? false : "v");
    expect(Object.keys(result)).not.toContain(path);
  });

  it("respells sub-attributes, filter attributes and complex values canonically", () => {
    expect(patch([{ op: "replace", path: "name.givenname", value: "Bo" }]).name).toEqual({ givenName: "Bo", familyName: "Lee" });
    expect(patch([{ op: "replace", path: "NAME.FORMATTED", value: "Bo Lee" }]).name).toEqual({
      givenName: "Ann",
      familyName: "Lee",
      formatted: "Bo Lee",
    });
    expect(patch([{ op: "replace", path: "name", value: { FamilyName: "Li" } }]).name).toEqual({ givenName: "Ann", familyName: "Li" });
    const { emails: _, ...noEmails } = stored();
    expect(patch([{ op: "add", path: 'Emails[Type eq "work"].Value', value: "a@b.example" }], noEmails).emails).toEqual([
      { type: "work", value: "a@b.example" },
    ]);
  });

  // RFC 7644 §3.5.2.3: "If the target location is a multi-valued attribute and no filter is specified, the
  // attribute and all values are replaced."
  it("replaces all e-mails when Replace emails has no filter, even with a single object", () => {
    const resource = { ...stored(), emails: [{ type: "work", value: "a@b.example" }, { type: "home", value: "h@b.example" }] };
    expect(patch([{ op: "Replace", path: "emails", value: { type: "work", value: "n@b.example" } }], resource).emails).toEqual([
      { type: "work", value: "n@b.example" },
    ]);
  });

  it("adds a new e-mail to the list on Add emails, without duplicating an existing one", () => {
    const result = patch([{ op: "Add", path: "emails", value: [{ type: "work", value: "ann@contoso.example", primary: true }, { type: "home", value: "h@b.example" }] }]);
    expect(result.emails).toEqual([
      { type: "work", value: "ann@contoso.example", primary: true },
      { type: "home", value: "h@b.example" },
    ]);
  });
});

describe("applyUserPatch: server-owned attributes and failures", () => {
  it("rejects a change to id as mutability", () => {
    const error = failure(() => patch([{ op: "replace", path: "id", value: "other" }]));
    expect(error.scimType).toBe("mutability");
    expect(failure(() => patch([{ op: "Replace", value: { id: "other" } }])).scimType).toBe("mutability");
    expect(failure(() => patch([{ op: "remove", path: "ID" }])).scimType).toBe("mutability");
  });

  it("ignores a replace of id with its current value", () => {
    const resource = { ...stored(), id: "u-1" };
    expect(patch([{ op: "replace", value: { id: "u-1", displayName: "Bo" } }], resource)).toEqual({ ...resource, displayName: "Bo" });
  });

  it("silently ignores operations on meta and schemas", () => {
    const result = patch([
      { op: "replace", path: "meta.lastModified", value: "2020-01-01T00:00:00Z" },
      { op: "remove", path: "schemas" },
      { op: "replace", value: { meta: { version: "W/1" }, schemas: [] } },
    ]);
    expect(result).toEqual(stored());
  });

  it("rejects Replace on a filter that matches nothing and does not name a sub-attribute as noTarget", () => {
    // RFC 7644 §3.5.2.3: "If the target location is a multi-valued attribute for which a value selection
    // filter ("valuePath") has been supplied and no record match was made, the service provider SHALL
    // indicate failure by returning HTTP status code 400 and a "scimType" error code of "noTarget"."
    const error = failure(() => patch([{ op: "Replace", path: 'emails[type eq "home"]', value: { value: "h@b.example" } }]));
    expect(error.scimType).toBe("noTarget");
    expect(error.detail).toContain("emails[...]");
    expect(error.detail).not.toContain("home");
  });

  it("rejects an unparseable filter in a path as invalidPath, without echoing it", () => {
    const error = failure(() => patch([{ op: "Replace", path: 'emails[value eq "a@b.example" zz].value', value: "x" }]));
    expect(error.scimType).toBe("invalidPath");
    expect(error.detail).not.toContain("a@b.example");
  });

  it("rejects a path through a string attribute as invalidPath", () => {
    expect(failure(() => patch([{ op: "Replace", path: "userName.digits", value: "1" }])).scimType).toBe("invalidPath");
  });

  it("rejects a non-object Add onto a complex attribute as invalidValue", () => {
    expect(failure(() => patch([{ op: "Add", path: "name", value: "Ann Lee" }])).scimType).toBe("invalidValue");
  });

  it("rejects a path that is not a string as invalidPath", () => {
    expect(failure(() => patch([{ op: "replace", path: 42, value: "x" }])).scimType).toBe("invalidPath");
  });

  it("refuses paths and value keys that would reach Object.prototype", () => {
    expect(failure(() => patch([{ op: "add", path: "__proto__.polluted", value: "x" }])).scimType).toBe("invalidPath");
    expect(failure(() => patch([{ op: "add", path: "constructor.prototype.polluted", value: "x" }])).scimType).toBe("invalidPath");
    const body = JSON.parse('{"op":"add","path":"name","value":{"__proto__.polluted":"x"}}') as unknown;
    expect(failure(() => patch([body])).scimType).toBe("invalidValue");
    const pathless = JSON.parse('{"op":"add","value":{"__proto__":{"polluted":"x"}}}') as unknown;
    expect(failure(() => patch([pathless])).scimType).toBe("invalidValue");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("leaves the resource unchanged when the same value is re-sent, so the caller writes nothing", () => {
    const result = patch([
      { op: "Replace", path: "displayName", value: "Ann Lee" },
      { op: "Add", path: 'emails[type eq "work"].value', value: "ann@contoso.example" },
      { op: "Replace", path: "active", value: "True" },
    ]);
    expect(isSameResource(result, stored())).toBe(true);
  });
});

describe("isSameResource", () => {
  it("ignores key order at every level", () => {
    expect(isSameResource({ a: 1, b: { c: [1, { d: 2, e: 3 }] } }, { b: { c: [1, { e: 3, d: 2 }] }, a: 1 })).toBe(true);
  });

  it("treats an undefined member as absent", () => {
    expect(isSameResource({ a: 1, b: undefined }, { a: 1 })).toBe(true);
  });

  it("respects array order, types and missing keys", () => {
    expect(isSameResource({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(isSameResource({ a: "1" }, { a: 1 })).toBe(false);
    expect(isSameResource({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(isSameResource({ a: null }, { a: {} })).toBe(false);
    expect(isSameResource([], {})).toBe(false);
  });
});

describe("a PATCH name that names nothing", () => {
  // Found by the hostile-input property test (seed 88019047): to scim-patch an empty path is the whole
  // document, so a path-less replace of {"": -5e-324} turned the user into a number.
  it.each([
    [{ op: "Replace", value: { "": -5e-324 } }],
    [{ op: "add", value: { "": { a: 1 } } }],
    [{ op: "replace", value: { ".": 3 } }],
    [{ op: "replace", value: { "urn:ietf:params:scim:schemas:core:2.0:User:": 3 } }],
    [{ op: "replace", path: "urn:ietf:params:scim:schemas:core:2.0:User:", value: 3 }],
  ])("is refused with a 400 naming the operation, never applied to the whole user: %j", (operation) => {
    const stored = { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "11234567890", active: true };
    try {
      applyUserPatch(stored, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [operation] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ScimError);
      expect((error as ScimError).status).toBe(400);
      expect((error as ScimError).detail).toMatch(/^Operations\[0\].*names no attribute/);
    }
  });
});
