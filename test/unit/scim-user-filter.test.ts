import { describe, expect, it } from "vitest";
import { ScimError } from "../../src/scim/scim-error.ts";
import { mobileForLookup } from "../../src/users/mobile-number.ts";
import { parseUserFilter } from "../../src/scim/user-filter.ts";

function rejection(filter: string): ScimError {
  try {
    parseUserFilter(filter);
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error("expected an invalidFilter error");
}

const SUPPORTED = "Only 'eq' on userName, externalId or id, combined with 'and', is supported";

describe("parseUserFilter: the filters Entra ID sends", () => {
  it("reads userName eq a quoted number as the string", () => {
    expect(parseUserFilter('userName eq "11234567890"')).toEqual([{ attribute: "userName", value: "11234567890" }]);
  });

  it("reads a GUID userName (Entra's connection probe) without error; it simply matches no mobile number", () => {
    const criteria = parseUserFilter('userName eq "9c1b7f3e-2d4a-4c55-9a0e-0f1e2d3c4b5a"');
    expect(criteria).toEqual([{ attribute: "userName", value: "9c1b7f3e-2d4a-4c55-9a0e-0f1e2d3c4b5a" }]);
    expect(mobileForLookup(criteria[0]?.value)).toBeUndefined();
  });

  it("reads externalId eq", () => {
    expect(parseUserFilter('externalId eq "441234567890"')).toEqual([{ attribute: "externalId", value: "441234567890" }]);
  });

  // RFC 7644 §3.4.2.2: "Attribute names and attribute operators used in filters are case insensitive."
  it("accepts attribute names and operators in any case", () => {
    expect(parseUserFilter('USERNAME EQ "85212345678"')).toEqual([{ attribute: "userName", value: "85212345678" }]);
    expect(parseUserFilter('ExternalID Eq "x"')).toEqual([{ attribute: "externalId", value: "x" }]);
  });

  it("accepts URN-qualified attribute names", () => {
    expect(parseUserFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "11234567890"')).toEqual([
      { attribute: "userName", value: "11234567890" },
    ]);
  });

  it("keeps an unquoted number as the digit string exactly as written", () => {
    expect(parseUserFilter("userName eq 11234567890")).toEqual([{ attribute: "userName", value: "11234567890" }]);
    expect(parseUserFilter("userName eq 852123456789012")).toEqual([{ attribute: "userName", value: "852123456789012" }]);
    expect(parseUserFilter("userName eq 99999999999999999999")).toEqual([{ attribute: "userName", value: "99999999999999999999" }]);
    expect(parseUserFilter("userName eq 0123")).toEqual([{ attribute: "userName", value: "0123" }]);
    expect(parseUserFilter("(userName eq 11234567890)")).toEqual([{ attribute: "userName", value: "11234567890" }]);
  });

  it("combines comparisons with 'and' in any case, keeping JSON types of the values", () => {
    expect(parseUserFilter('userName eq "1" and externalId eq "x"')).toEqual([
      { attribute: "userName", value: "1" },
      { attribute: "externalId", value: "x" },
    ]);
    expect(parseUserFilter('(userName eq "1") And id eq "abc" AND externalId eq null')).toEqual([
      { attribute: "userName", value: "1" },
      { attribute: "id", value: "abc" },
      { attribute: "externalId", value: null },
    ]);
  });

  it("reads the literals true, false and null in any case (RFC 5234 §2.3)", () => {
    expect(parseUserFilter("externalId eq False")).toEqual([{ attribute: "externalId", value: false }]);
    expect(parseUserFilter("externalId eq NULL")).toEqual([{ attribute: "externalId", value: null }]);
  });

  it("keeps a quoted \"true\" a string: canonicalising values is the caller's job", () => {
    expect(parseUserFilter('externalId eq "true"')).toEqual([{ attribute: "externalId", value: "true" }]);
  });

  it("unescapes escaped quotes in a quoted value", () => {
    expect(parseUserFilter('externalId eq "Ann \\"The Boss\\" Lee"')).toEqual([{ attribute: "externalId", value: 'Ann "The Boss" Lee' }]);
  });

  it("keeps spaces that the HTTP layer decoded from '+'", () => {
    expect(parseUserFilter('externalId eq "Ann Lee"')).toEqual([{ attribute: "externalId", value: "Ann Lee" }]);
  });
});

describe("parseUserFilter: everything else is invalidFilter", () => {
  it.each([
    ['userName co "123"', "'co' operator"],
    ['userName sw "44"', "'sw' operator"],
    ['userName ne "1"', "'ne' operator"],
    ["userName pr", "'pr' operator"],
    ['userName eq "1" or userName eq "2"', "'or' operator"],
    ['not (userName eq "1")', "'not' operator"],
    ['emails[type eq "work"]', "Value paths"],
    ['emails[type eq "work"].value eq "a@b.example"', "Value paths"],
    ['emails.value eq "a@b.example"', "cannot be filtered on"],
    ['title eq "CEO"', "cannot be filtered on"],
    ['name.givenName eq "Ann"', "cannot be filtered on"],
    ['userName eq "1" and (userName eq "2" or externalId eq "3")', "'or' operator"],
    // Issue 11 §3: each would read the whole tenant; no index serves them and Entra never sends them.
    ['displayName eq "Ann Manager"', "Filtering on displayName is not supported: it would read every user"],
    ["active eq false", "Filtering on active is not supported: it would read every user"],
    ['userName eq "1" and ACTIVE eq "True"', "Filtering on active is not supported"],
    ['urn:ietf:params:scim:schemas:core:2.0:User:displayName eq "Ann"', "Filtering on displayName is not supported"],
  ])("rejects %j, naming the problem and what is supported", (filter, problem) => {
    const error = rejection(filter);
    expect(error.status).toBe(400);
    expect(error.scimType).toBe("invalidFilter");
    expect(error.detail).toContain(problem);
    expect(error.detail).toContain(SUPPORTED);
  });

  it.each([['userName eq "1'], ["userName eq"], ['userName "1"'], ['userName eq "1" and'], ["(userName eq 1"], ["userName eq +"], [""]])(
    "rejects the syntax error %j",
    (filter) => {
      const error = rejection(filter);
      expect(error.scimType).toBe("invalidFilter");
      expect(error.detail).toContain(SUPPORTED);
    },
  );

  it("does not echo the filter's values in the detail", () => {
    expect(rejection('userName co "441234567890"').detail).not.toContain("441234567890");
    expect(rejection('userName eq "441234567890" and').detail).not.toContain("441234567890");
  });

  it("rejects a filter over 1,000 characters", () => {
    const filter = `externalId eq "${"a".repeat(990)}"`;
    expect(filter.length).toBeGreaterThan(1_000);
    expect(rejection(filter).detail).toContain("longer than 1000 characters");
  });

  it("accepts 10 criteria and rejects 11", () => {
    const criteria = (n: number) => Array.from({ length: n }, (_, i) => `id eq "${i}"`).join(" and ");
    expect(parseUserFilter(criteria(10))).toHaveLength(10);
    expect(rejection(criteria(11)).detail).toContain("more than 10 comparisons");
  });

  // Issue 11 §2: the parser's string pattern backtracks exponentially on line feeds, so control characters
  // and escapes other than \" and \\ are refused before it runs.
  it.each([
    ['userName eq "1\n2"', "control character"],
    ['userName\teq "1"', "control character"],
    ['userName eq "1\u00852"', "control character"],
    [String.raw`userName eq "a\nb"`, "backslash escape"],
    [String.raw`userName eq "a\u0041"`, "backslash escape"],
    [String.raw`userName eq "a\/b"`, "backslash escape"],
  ])("refuses %j before the parser runs", (filter, problem) => {
    expect(rejection(filter).detail).toContain(problem);
  });

  it('keeps the escapes \" and \\', () => {
    expect(parseUserFilter(String.raw`externalId eq "a\"b"`)).toEqual([{ attribute: "externalId", value: 'a"b' }]);
    expect(parseUserFilter(String.raw`externalId eq "a\\b"`)).toHaveLength(1);
  });
});
