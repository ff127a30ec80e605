// attributes= and excludedAttributes= (RFC 7644 §3.4.2.5): each list parsed once into a tree, bounded.
import { describe, expect, it } from "vitest";
import { MAX_SELECTED_ATTRIBUTES, parseAttributeSelection, selectAttributes } from "../../src/scim/attribute-selection.ts";

const resource = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  id: "u1",
  userName: "11234567890",
  name: { givenName: "Ann", familyName: "Lee" },
  emails: [{ type: "work", value: "ann@contoso.example", display: "Ann" }],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { department: "Legal", costCenter: "7" },
};

describe("attribute selection", () => {
  it("keeps only the listed attributes (any case, URN-qualified), and always id and schemas", () => {
    const selection = parseAttributeSelection("USERNAME,urn:ietf:params:scim:schemas:core:2.0:User:name.givenName");
    expect(selectAttributes(resource, selection)).toEqual({ schemas: resource.schemas, id: "u1", userName: "11234567890", name: { givenName: "Ann" } });
  });

  it("leaves out excluded attributes and sub-attributes, inside multi-valued ones too", () => {
    const selection = parseAttributeSelection(undefined, "emails.display,name,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter");
    expect(selectAttributes(resource, selection)).toEqual({
      schemas: resource.schemas,
      id: "u1",
      userName: "11234567890",
      emails: [{ type: "work", value: "ann@contoso.example" }],
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { department: "Legal" },
    });
  });

  it("folds repeated names into one: 4,000 copies of one name are one name", () => {
    const selection = parseAttributeSelection(Array.from({ length: 4_000 }, () => "userName").join(","));
    expect(selectAttributes(resource, selection)).toEqual({ schemas: resource.schemas, id: "u1", userName: "11234567890" });
  });

  it(`refuses more than ${MAX_SELECTED_ATTRIBUTES} distinct names with invalidValue`, () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `a${i}`).join(",");
    expect(() => parseAttributeSelection(names(MAX_SELECTED_ATTRIBUTES))).not.toThrow();
    expect(() => parseAttributeSelection(undefined, names(MAX_SELECTED_ATTRIBUTES + 1))).toThrow(/more than 100 attributes/);
  });

  it("treats inherited names as plain names: constructor, __proto__ and toString select nothing and change nothing", () => {
    const selection = parseAttributeSelection("constructor,__proto__,toString.call,userName");
    expect(selectAttributes(resource, selection)).toEqual({ schemas: resource.schemas, id: "u1", userName: "11234567890" });
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});
