// Issue 11 §1: the names a PATCH path or value key may carry, decided by what is allowed: schema names
// pass, names a JavaScript value inherits are refused in any case, any other name is an unknown attribute.
import { scimPatch } from "scim-patch";
import { describe, expect, it } from "vitest";
import { INHERITED_NAMES, MAX_PATCH_PATH_LENGTH, pathProblem, valueKeyProblem } from "../../src/scim/patch-names.ts";
import { SCHEMA_NAMES } from "../../src/scim/user-attributes.ts";
import { expectBuiltinsUntouched } from "../support/builtins.ts";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

describe("the inherited names", () => {
  it("are read from the runtime: every property an object, array, function, string, number or boolean has or inherits", () => {
    for (const name of ["tostring", "hasownproperty", "call", "bind", "apply", "valueof", "isprototypeof", "length", "name", "constructor", "__proto__", "prototype", "__definegetter__", "map", "charat", "tofixed"]) {
      expect(INHERITED_NAMES.has(name), name).toBe(true);
    }
    expect(INHERITED_NAMES.has("givenname")).toBe(false);
  });

  it("are all made of identifier characters, so a path's runs of such characters hold every segment that could be one", () => {
    for (const name of INHERITED_NAMES) expect(name).toMatch(/^[\w$]+$/);
  });

  it("overlap the schema's names only in 'name', which therefore passes", () => {
    expect([...SCHEMA_NAMES].filter((n) => INHERITED_NAMES.has(n))).toEqual(["name"]);
  });
});

describe("pathProblem", () => {
  it.each([
    "hasOwnProperty.call",
    "toString.call",
    "HASOWNPROPERTY.CALL",
    "toString.toString.call",
    "valueOf.bind",
    "name.constructor",
    "__proto__.polluted",
    "constructor.prototype.polluted",
    "emails.length",
    "active.toFixed",
    `${ENTERPRISE}:manager.__defineSetter__`,
    "urn:ietf:params:scim:schemas:core:2.0:User:isPrototypeOf.call",
    'emails[type eq "work"].valueOf',
    "emails[toString eq 1].value",
    'x"."toString.call',
  ])("refuses %j, naming the built-in", (path) => {
    expect(pathProblem(path)).toMatch(/^names "[\w$]+", a built-in property/);
  });

  it.each([
    "name",
    "NAME.givenName",
    "name.familyname",
    "userName",
    "active",
    'emails[type eq "work"].value',
    'EMAILS[TYPE EQ "work"].VALUE',
    'emails[value eq "call@contoso.example"].primary',
    'emails[value eq "toString.call"]',
    `${ENTERPRISE}:manager.displayName`,
    `${ENTERPRISE}:department`,
    "costCentreCode",
    "urn:contoso:params:scim:schemas:extension:2.0:User:badgeNumber",
    'addresses[type eq "work"].streetAddress',
  ])("lets %j through", (path) => {
    expect(pathProblem(path)).toBeUndefined();
  });

  it(`refuses a path longer than ${MAX_PATCH_PATH_LENGTH} characters`, () => {
    expect(pathProblem("a".repeat(MAX_PATCH_PATH_LENGTH))).toBeUndefined();
    expect(pathProblem("a".repeat(MAX_PATCH_PATH_LENGTH + 1))).toMatch(/longer than 256/);
  });

  it("refuses control characters and backslash escapes other than \\\" and \\\\ (its value filter reaches the same parser as GET filters)", () => {
    expect(pathProblem(`emails[type eq "${"\n".repeat(28)}\\\n"].value`)).toMatch(/control character/);
    expect(pathProblem('emails[type eq "a\\u0041"].value')).toMatch(/backslash/);
    expect(pathProblem('emails[type eq "a\\"b\\\\"].value')).toBeUndefined();
  });
});

describe("valueKeyProblem", () => {
  it.each(["isPrototypeOf.call", "valueOf", "TOSTRING", '"toString.call"', "a.b.__proto__", "urn:x:toLocaleString"])("refuses the key %j", (key) => {
    expect(valueKeyProblem(key)).toMatch(/built-in property/);
  });

  it.each(["givenName", "name.givenName", "badgeNumber", `${ENTERPRISE}:department`])("lets the key %j through", (key) => {
    expect(valueKeyProblem(key)).toBeUndefined();
  });
});

describe("paths whose quoted filter text scim-patch splits differently", () => {
  it("lets emails[value eq \"a:toString.call\"] through: scim-patch splits it at the colon into two pieces it refuses to walk", () => {
    const path = 'emails[value eq "a:toString.call"]';
    expect(pathProblem(path)).toBeUndefined();
    const resource = { userName: "1", emails: [{ type: "work", value: "a" }] };
    expect(() => scimPatch(resource as never, [{ op: "add", path, value: "x" } as never], { mutateDocument: false, treatMissingAsAdd: true })).toThrow();
    expectBuiltinsUntouched();
  });

  // pathProblem reads a path as scim-patch does: where scim-patch splits inside a quoted filter value, the
  // pieces it would walk are names like any other, and a built-in among them is refused, even where an
  // earlier segment's broken filter would have stopped scim-patch before it got there.
  it.each(['emails[a eq "].toString.call"x]', 'emails[value eq "x].toString.call"x]', 'emails[value eq "a\\"].toString.call"x]'])(
    "%j is refused, and reaches no built-in even in scim-patch itself",
    (path) => {
      expect(pathProblem(path)).toMatch(/built-in property/);
      const resource = { userName: "1", emails: [{ type: "work", value: "a" }] };
      try {
        scimPatch(resource as never, [{ op: "add", path, value: "x" } as never], { mutateDocument: false, treatMissingAsAdd: true });
      } catch {
        // refused by scim-patch: what matters is below
      }
      expectBuiltinsUntouched();
    },
  );
});
