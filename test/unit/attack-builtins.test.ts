// The two layers of issue 11 §1, attacked at the unit level. Layer one (src/scim/patch-names.ts) must decide
// every name scim-patch walks; layer two (src/freeze-builtins.ts, applied to every Worker test by
// test/support/freeze-builtins.ts) must leave nothing reachable from a JSON value that a write can change.
// The HTTP tests in test/http/attack-patch-names.test.ts show what each gap lets a tenant do.
import { scimPatch } from "scim-patch";
import { afterEach, describe, expect, it } from "vitest";
import { pathProblem } from "../../src/scim/patch-names.ts";

/**
 * Every object and function a chain of property reads can reach from a JSON value (what scim-patch's
 * `node[segment]` walk can reach): prototypes, and the values of own data properties, to `depth` steps.
 */
function reachable(depth: number): Map<object, string> {
  const seen = new Map<object, string>();
  let frontier: [object, string][] = [
    [{}, "{}"],
    [[], "[]"],
    [Object(""), '""'],
    [Object(0), "0"],
    [Object(true), "true"],
  ];
  for (let step = 0; step <= depth && frontier.length; step++) {
    const next: [object, string][] = [];
    for (const [node, name] of frontier) {
      if (seen.has(node)) continue;
      seen.set(node, name);
      const proto = Object.getPrototypeOf(node) as object | null;
      if (proto) next.push([proto, `${name}.__proto__`]);
      for (const key of Object.getOwnPropertyNames(node)) {
        const value = Object.getOwnPropertyDescriptor(node, key)?.value as unknown;
        if ((typeof value === "object" && value !== null) || typeof value === "function") next.push([value as object, `${name}.${key}`]);
      }
    }
    frontier = next;
  }
  for (const sample of ["{}", "[]", '""', "0", "true"]) for (const [node, name] of seen) if (name === sample) seen.delete(node);
  return seen;
}

const keysBefore = Object.getOwnPropertyNames(Object.keys).join();
afterEach(() => {
  for (const key of Object.getOwnPropertyNames(Object.keys)) if (!keysBefore.split(",").includes(key)) delete (Object.keys as unknown as Record<string, unknown>)[key];
});

describe("layer one: the PATCH name rules", () => {
  // Was a hole: the rules skipped a quoted string from the first "[" of a segment, scim-patch takes the last
  // "["; the names between `a["` and the next quote were never looked at, yet scim-patch walks them.
  it.each([
    ['x.a["z[b pr].constructor.keys.evil"y[c eq 1].last', "constructor, keys"],
    ['x.a["z[b pr].__proto__.q[c eq "v"and d pr]', "__proto__"],
    ['x.a["z[b pr].constructor.assign.evil"y[c eq 1].last', "constructor, assign"],
  ])("refuse %s, which walks through %s", (path) => {
    expect(pathProblem(path)).toMatch(/built-in/);
  });

  it("refuse the same names when no quote hides them", () => {
    for (const path of ["x.a[b pr].constructor.keys.evil[c eq 1].last", "x.a[b pr].__proto__.q"]) expect(pathProblem(path), path).toMatch(/built-in/);
  });
});

describe("layer two: the frozen built-ins", () => {
  // Was a hole: freeze-builtins.ts froze the prototypes and the functions on them only shallowly, so the
  // static functions of the constructors (Object.keys, Object.assign, Array.isArray, Number.parseInt, ...)
  // stayed extensible, reachable by `constructor.<name>` from any JSON value.
  it("leave nothing reachable from a JSON value by property reads extensible", () => {
    const extensible = [...reachable(4)].filter(([node]) => Object.isExtensible(node)).map(([, name]) => name);
    expect(extensible).toEqual([]);
  });

  it("stop scim-patch itself, called without the name rules, from adding a property to Object.keys", () => {
    const resource = { userName: "1", x: [{ b: 1 }] };
    try {
      scimPatch(resource as never, [{ op: "add", path: "x[b pr].constructor.keys.evil[c eq 1].last", value: "payload" } as never], { mutateDocument: false, treatMissingAsAdd: true });
    } catch {
      // a refusal is the safe outcome
    }
    expect(Object.getOwnPropertyNames(Object.keys).join()).toBe(keysBefore);
  });

  it("leave Object.prototype without new properties: only the functions already on it can be reached, and they are frozen", () => {
    expect(Object.isExtensible(Object.prototype)).toBe(false);
    for (const key of Object.getOwnPropertyNames(Object.prototype)) {
      const value = Object.getOwnPropertyDescriptor(Object.prototype, key)?.value as unknown;
      if (typeof value === "function") expect(Object.isFrozen(value), key).toBe(true);
    }
  });
});
