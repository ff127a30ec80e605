// Issue 11 §1, the second layer: the Worker freezes the built-ins at load (src/freeze-builtins.ts, imported
// first by src/index.ts; test/support/freeze-builtins.ts does the same for every Worker test). Even a path that
// got past the name rules could then write nothing, and ordinary attribute names keep working.
import { scimPatch } from "scim-patch";
import { describe, expect, it } from "vitest";
import { FROZEN_PROTOTYPES } from "../../src/freeze-builtins.ts";
import { parseUserResource } from "../../src/scim/user-schema.ts";
import { expectBuiltinsUntouched } from "../support/builtins.ts";
import workerEntry from "../../src/index.ts?raw";

describe("the frozen built-ins", () => {
  it("are frozen by the Worker's entry before any other module is imported", () => {
    const imports = [...workerEntry.matchAll(/^import\s[^;]*;/gm)].map((m) => m[0]);
    expect(imports[0]).toBe('import "./freeze-builtins.ts";');
  });

  it("freeze Function, Array, String, Number and Boolean prototypes and every function on them", () => {
    for (const prototype of FROZEN_PROTOTYPES) {
      expect(Object.isFrozen(prototype)).toBe(true);
      for (const key of Reflect.ownKeys(prototype)) {
        const value = Object.getOwnPropertyDescriptor(prototype, key)?.value;
        if (typeof value === "function") expect(Object.isFrozen(value), String(key)).toBe(true);
      }
    }
  });

  it("keep Object.prototype from growing or losing a property, and freeze every function on it", () => {
    expect(Object.isExtensible(Object.prototype)).toBe(false);
    expect(Object.isSealed(Object.prototype)).toBe(true);
    expect(Reflect.deleteProperty(Object.prototype, "hasOwnProperty")).toBe(false);
    expect(typeof Object.prototype.hasOwnProperty).toBe("function");
    for (const name of ["hasOwnProperty", "toString", "valueOf", "isPrototypeOf", "propertyIsEnumerable", "constructor"] as const) {
      expect(Object.isFrozen(Object.prototype[name]), name).toBe(true);
    }
  });

  it.each(["hasOwnProperty.call", "toString.call", "toString.toString.call", "valueOf.bind", "__proto__.polluted", "constructor.prototype.polluted"])(
    "stop scim-patch itself, called without the name rules, from writing through %j",
    (path) => {
      expect(() => scimPatch({ userName: "1" } as never, [{ op: "add", path, value: "x" } as never], { mutateDocument: false, treatMissingAsAdd: true })).toThrow(TypeError);
      expectBuiltinsUntouched();
    },
  );

  // Why Object.prototype is not frozen: frozen, its methods become read-only on every object, and zod
  // assigns unknown attributes one by one (the "override mistake"): this User would be a TypeError.
  it("leave a User with attributes named toString, valueOf and constructor parseable", () => {
    const body = JSON.parse('{"userName":"11234567890","toString":"a","valueOf":"b","constructor":"c","name":{"hasOwnProperty":"d"}}');
    expect(parseUserResource(body)).toMatchObject({ toString: "a", valueOf: "b", constructor: "c", name: { hasOwnProperty: "d" } });
  });
});
