// Property-based tests over the parsing surfaces: whatever arrives, each either succeeds or throws a
// ScimError with a 4xx status. Never another exception, never a hang, never a change to its input or to
// a built-in (compared by identity: test/support/builtins.ts).
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { ScimError } from "../../src/scim/scim-error.ts";
import { canonicalMobile, mobileForLookup } from "../../src/users/mobile-number.ts";
import { parseUserFilter } from "../../src/scim/user-filter.ts";
import { applyUserPatch } from "../../src/scim/user-patch.ts";
import { parseUserResource } from "../../src/scim/user-schema.ts";
import { hostileJson, hostileString, mutatedEntraPatch, mutatedEntraUser, namedPatchOperation, patchPath } from "../support/arbitraries.ts";
import { expectBuiltinsUntouched } from "../support/builtins.ts";

const RUNS = 400;

function expectScim4xxOr<T>(run: () => T): T | undefined {
  try {
    return run();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(ScimError);
    expect((error as ScimError).status).toBeGreaterThanOrEqual(400);
    expect((error as ScimError).status).toBeLessThan(500);
    return undefined;
  }
}

const STORED = Object.freeze({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName: "11234567890",
  active: true,
  name: { givenName: "Ann", familyName: "Lee" },
  emails: [{ type: "work", value: "ann@contoso.example", primary: true }],
});

afterEach(() => {
  // A prototype-pollution bug would show here for every later test too.
  expect(Object.keys(Object.prototype)).toEqual([]);
  expectBuiltinsUntouched();
});

describe("hostile input", () => {
  it("the filter parser answers any string with criteria or invalidFilter", () => {
    fc.assert(
      fc.property(fc.oneof(hostileString(), fc.string({ unit: "grapheme-composite" })), (filter) => {
        const criteria = expectScim4xxOr(() => parseUserFilter(filter));
        if (criteria) expect(Array.isArray(criteria)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  // Issue 11 §2: strings of control characters, quotes and backslashes made the parser backtrack
  // exponentially (44 characters took 2.6 s); each now takes well under a second.
  it("the filter parser answers strings of control characters, quotes and backslashes within a second each", () => {
    const unit = fc.constantFrom("\n", "\r", "\t", "\u0000", "\u001f", "\u007f", "\u0085", '"', "\\", " ", "a", "1", "(", "[");
    const text = fc.oneof(
      fc.string({ unit, maxLength: 1_000 }),
      fc.string({ unit, maxLength: 80 }).map((s) => `userName eq "${s}`),
    );
    fc.assert(
      fc.property(text, (filter) => {
        const started = Date.now();
        expectScim4xxOr(() => parseUserFilter(filter));
        expect(Date.now() - started, JSON.stringify(filter)).toBeLessThan(1_000);
      }),
      { numRuns: RUNS },
    );
  });

  it("the filter parser answers filters built from Entra's vocabulary without crashing", () => {
    const token = fc.constantFrom("userName", "USERNAME", "externalId", "id", "active", "title", "eq", "EQ", "ne", "co", "and", "or", "not", "(", ")", "[", "]", '"', '"1123"', "true", "null", "pr", "emails[type eq \"work\"]", "11234567890");
    fc.assert(
      fc.property(fc.array(token, { maxLength: 12 }), (parts) => {
        expectScim4xxOr(() => parseUserFilter(parts.join(" ")));
      }),
      { numRuns: RUNS },
    );
  });

  it("the user schema answers any JSON with a resource or invalidValue", () => {
    fc.assert(
      fc.property(fc.oneof(hostileJson(), mutatedEntraUser()), (body) => {
        const before = JSON.stringify(body);
        const resource = expectScim4xxOr(() => parseUserResource(body));
        if (resource) expect(typeof resource.userName).toBe("string");
        expect(JSON.stringify(body)).toBe(before);
      }),
      { numRuns: RUNS },
    );
  });

  it("the PATCH engine answers any body with a new resource or a 4xx, leaving the stored one untouched", () => {
    fc.assert(
      fc.property(fc.oneof(hostileJson(), mutatedEntraPatch()), (body) => {
        const before = JSON.stringify(STORED);
        const result = expectScim4xxOr(() => applyUserPatch(STORED as Record<string, unknown>, body));
        if (result) expect(typeof result).toBe("object");
        expect(JSON.stringify(STORED)).toBe(before);
      }),
      { numRuns: RUNS },
    );
  });

  it("the PATCH engine refuses or ignores prototype-pollution paths and keys", () => {
    fc.assert(
      fc.property(patchPath(), fc.constantFrom("add", "Replace", "remove"), fc.jsonValue(), (path, op, value) => {
        expectScim4xxOr(() =>
          applyUserPatch(STORED as Record<string, unknown>, {
            schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            Operations: [{ op, path, value }, { op: "add", value: { [path]: value } }],
          }),
        );
      }),
      { numRuns: RUNS },
    );
  });

  // Issue 11 §1: inherited names (toString, hasOwnProperty, call, bind, valueOf, length, name, ...) in any
  // case, as path segments and as value keys at any depth, mixed with schema and unknown names.
  it("the PATCH engine refuses every path and value key naming a built-in before applying anything, accepts the SCIM 'name', and leaves the built-ins untouched", () => {
    fc.assert(
      fc.property(namedPatchOperation(), ({ operation, refusal }) => {
        let error: unknown;
        try {
          applyUserPatch(STORED as Record<string, unknown>, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [operation] });
        } catch (caught) {
          error = caught;
        }
        const scim = error instanceof ScimError ? error : undefined;
        if (error !== undefined) expect(scim, String(error)).toBeDefined();
        if (refusal) {
          expect(scim?.scimType, JSON.stringify(operation)).toBe(refusal);
          expect(scim?.detail, JSON.stringify(operation)).toMatch(/a built-in property/);
        } else {
          expect(scim?.detail ?? "", JSON.stringify(operation)).not.toMatch(/a built-in property/);
          if (scim) expect(scim.status).toBeLessThan(500);
        }
        expectBuiltinsUntouched();
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("the mobile-number rules answer any string with digits of a possible length or a reason", () => {
    fc.assert(
      fc.property(fc.oneof(hostileString(), fc.stringMatching(/^\+?[0-9 ().-]{0,24}$/)), (input) => {
        const result = canonicalMobile(input);
        if (result.ok) expect(result.mobile).toMatch(/^[1-9]\d{6,14}$/);
        else expect(result.detail.length).toBeGreaterThan(10);
        const lookup = mobileForLookup(input);
        expect(lookup === undefined || /^\d+$/.test(lookup)).toBe(true);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});
