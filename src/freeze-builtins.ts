// The second layer under the PATCH name rules (src/scim/patch-names.ts, issue 11 §1). One isolate serves
// every tenant, and zod, Drizzle and jose call built-ins as `Object.prototype.hasOwnProperty.call(...)` and
// `Object.prototype.toString.call(...)`: one write to a built-in prototype, or to a function on it, would
// change the gateway for all of them. So, before any other module of the Worker runs (src/index.ts imports
// this first), every function on the prototypes a JSON value or a function inherits from is frozen
// (`hasOwnProperty`, `toString`, `call`, `bind`, the constructors, accessors' getters and setters), and so are
// those prototypes, with one exception below. A write then fails (a TypeError in strict code) instead of
// landing. The whole test suite runs this way (test/support/freeze-builtins.ts).
//
// Object.prototype is made non-extensible, not frozen. Freezing it makes its properties read-only for every
// object that inherits them, so `target[key] = value` with the key "toString", "valueOf" or "constructor"
// throws in strict code (the "override mistake" of ES5). Measured: zod's looseObject builds its output that
// way, so a User carrying an attribute named "toString" became a TypeError, a 500. Non-extensible, it takes no
// new property (a "polluted" flag on every object), and its functions are frozen all the same; replacing one
// of its methods outright needs a path through "__proto__" or "constructor", which patch-names.ts refuses.

/** Frozen whole, with their functions. Measured with the suite: nothing in the Worker writes to them. */
export const FROZEN_PROTOTYPES: readonly object[] = [
  Function.prototype,
  Array.prototype,
  String.prototype,
  Number.prototype,
  Boolean.prototype,
];

freezeFunctionsOf(Object.prototype);
Object.preventExtensions(Object.prototype);
for (const prototype of FROZEN_PROTOTYPES) {
  freezeFunctionsOf(prototype);
  Object.freeze(prototype);
}

function freezeFunctionsOf(prototype: object): void {
  for (const key of Reflect.ownKeys(prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
    for (const part of [descriptor?.value, descriptor?.get, descriptor?.set]) {
      if (typeof part === "function") Object.freeze(part);
    }
  }
}
