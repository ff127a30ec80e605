// The second layer under the PATCH name rules (src/scim/patch-names.ts, issue 11 §1). One isolate serves
// every tenant, and zod, Drizzle and jose call built-ins as `Object.prototype.hasOwnProperty.call(...)` and
// `Object.prototype.toString.call(...)`: one write to a built-in prototype, or to a function on it, would
// change the gateway for all of them. So, before any other module of the Worker runs (src/index.ts imports
// this first), every function on the prototypes a JSON value or a function inherits from is frozen
// (`hasOwnProperty`, `toString`, `call`, `bind`, the constructors, accessors' getters and setters), and so are
// those prototypes, with one exception below. A write then fails (a TypeError in strict code) instead of
// landing. The whole test suite runs this way (test/support/freeze-builtins.ts).
//
// Object.prototype is sealed, not frozen. Freezing it makes its properties read-only for every object that
// inherits them, so `target[key] = value` with the key "toString", "valueOf" or "constructor" throws in strict
// code (the "override mistake" of ES5). Measured: zod's looseObject builds its output that way, so a User
// carrying an attribute named "toString" became a TypeError, a 500. Sealed, it takes no new property (a
// "polluted" flag on every object) and loses none: a second attack deleted Object.prototype.hasOwnProperty
// through a merely non-extensible Object.prototype, after which no tenant's fresh token verified. Its
// functions are frozen all the same; replacing one outright needs a path through "__proto__" or
// "constructor", which patch-names.ts refuses.

// Frozen too: everything a chain of property reads reaches from those prototypes (the constructors' static
// functions such as Object.keys and Array.isArray, the objects they hold, their prototypes), walked once.
// scim-patch walks a path with `node[segment]`, so `constructor.keys` from any JSON value is Object.keys: left
// extensible, a write there was kept by the isolate for every tenant (an attack test showed 64 KiB a request).

/** Frozen whole, with their functions. Measured with the suite: nothing in the Worker writes to them. */
export const FROZEN_PROTOTYPES: readonly object[] = [
  Function.prototype,
  Array.prototype,
  String.prototype,
  Number.prototype,
  Boolean.prototype,
];

freezeReachable([Object.prototype, ...FROZEN_PROTOTYPES]);

/**
 * Freezes every object and function reachable from `roots` through own properties (values, getters, setters)
 * and prototypes, except Object.prototype, which is sealed only (see above). Iterative, with a
 * visited set: the graph of built-ins has cycles (Object.prototype.constructor.prototype).
 */
function freezeReachable(roots: readonly object[]): void {
  const seen = new Set<object>();
  const stack: object[] = [...roots];
  while (stack.length > 0) {
    const node = stack.pop() as object;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const key of Reflect.ownKeys(node)) {
      const descriptor = Object.getOwnPropertyDescriptor(node, key);
      for (const part of [descriptor?.value, descriptor?.get, descriptor?.set]) {
        if ((typeof part === "object" && part !== null) || typeof part === "function") stack.push(part as object);
      }
    }
    const prototype = Object.getPrototypeOf(node) as object | null;
    if (prototype) stack.push(prototype);
    if (node === Object.prototype) Object.seal(node);
    else Object.freeze(node);
  }
}
