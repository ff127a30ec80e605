// Issue 11 §6: nesting depth is measured without recursion, so no body can overflow the stack doing it.
import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../../src/scim/json-depth.ts";

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

describe("nestsDeeperThan", () => {
  it("counts the top level as 1 and scalars as no level", () => {
    expect(nestsDeeperThan("text", 0)).toBe(false);
    expect(nestsDeeperThan({}, 1)).toBe(false);
    expect(nestsDeeperThan({ a: [] }, 1)).toBe(true);
  });

  it(`accepts ${MAX_JSON_DEPTH} levels and refuses ${MAX_JSON_DEPTH + 1}`, () => {
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
  });

  it("measures 1,000,000 levels without overflowing the stack", () => {
    expect(nestsDeeperThan(nested(1_000_000), MAX_JSON_DEPTH)).toBe(true);
  });

  it("finds the one deep branch among wide shallow ones", () => {
    const wide = { emails: Array.from({ length: 1000 }, () => ({ value: "a", type: "work" })), deep: nested(40) };
    expect(nestsDeeperThan(wide, MAX_JSON_DEPTH)).toBe(true);
  });
});
