// The work budget of one PATCH (src/scim/patch-work.ts): charged before each operation runs, from the
// document's longest array and the size of the operation's value.
import { describe, expect, it } from "vitest";
import { applyUserPatch } from "../../src/scim/user-patch.ts";
import { DOCUMENT_BUDGET, operationWork, shapeOf, WORK_BUDGET, weightOf } from "../../src/scim/patch-work.ts";
import { ScimError } from "../../src/scim/scim-error.ts";

const patch = (...Operations: unknown[]) => ({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations });
const user = (items: number) => ({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "11234567890", x: Array.from({ length: items }, () => ({})) });

describe("the work one PATCH may take", () => {
  it("weighs a value by its keys, array items and 64-character slices of strings at any depth, and finds a document's longest array", () => {
    expect(weightOf("False")).toBe(0);
    expect(weightOf("y".repeat(40_000))).toBe(625);
    expect(weightOf({ a: 1, b: [1, 2, { c: 3 }] })).toBe(6);
    expect(shapeOf({ a: [1, 2], b: { c: [1, 2, 3, [1, 2, 3, 4]] } }).longestArray).toBe(4);
    expect(operationWork(2, { k: 1 })).toBe(3 * 2);
  });

  it("counts a shared value once per place it appears, and stops counting past the bound", () => {
    const shared = { a: [{}, {}] };
    expect(shapeOf({ x: [shared, shared, shared] }).weight).toBe(1 + 3 + 3 * (1 + 2));
    let doubling: unknown = {};
    for (let i = 0; i < 60; i++) doubling = [doubling, doubling]; // 2^60 places: only a bounded walk returns
    expect(shapeOf(doubling).weight).toBeGreaterThan(DOCUMENT_BUDGET);
  });

  it("weighs a 20,000-deep value without recursion", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(weightOf(deep)).toBe(20_000);
    expect(shapeOf(deep).longestArray).toBe(1);
  });

  it("lets Entra's multi-op PATCH and a disable through on any user, even one holding a 4,000-item list", () => {
    const entra = patch(
      { op: "Replace", path: "displayName", value: "Ann Manager" },
      { op: "Replace", path: "name.givenName", value: "Ann" },
      { op: "Replace", path: 'emails[type eq "work"].value', value: "ann@contoso.example" },
      { op: "Add", value: { "name.familyName": "Lee", title: "Counsel" } },
    );
    expect(applyUserPatch(user(2), entra)).toMatchObject({ name: { givenName: "Ann", familyName: "Lee" } });
    expect(applyUserPatch(user(4_000), patch({ op: "Replace", path: "active", value: "False" }))).toMatchObject({ active: false });
  });

  it(`refuses with tooMany what would cost more than ${WORK_BUDGET}: 1,200 keys into each of 1,200 items`, () => {
    const keys = Object.fromEntries(Array.from({ length: 1_200 }, (_, i) => [`k${i}`, 0]));
    try {
      applyUserPatch(user(1_200), patch({ op: "replace", path: "x", value: keys }));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ScimError);
      expect((error as ScimError).scimType).toBe("tooMany");
      expect((error as ScimError).detail).toMatch(/smaller PATCH requests/);
    }
  });

  it("charges the whole request: 99 value filters over a 5,000-item list are refused", () => {
    const ops = Array.from({ length: 99 }, (_, i) => ({ op: "replace", path: `x[a eq ${i}].b`, value: 1 }));
    expect(() => applyUserPatch(user(5_000), patch(...ops))).toThrow(/more work than one request/);
  });
});
