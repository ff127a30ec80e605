// The built-ins one isolate shares between every tenant, as they were when this module loaded: each
// prototype's own properties (values, getters, setters) and each function's own property names. A hostile
// PATCH that reached one would replace a method, or give a function an own `call`; both show here.
import { expect } from "vitest";

const PROTOTYPES = {
  "Object.prototype": Object.prototype,
  "Function.prototype": Function.prototype,
  "Array.prototype": Array.prototype,
  "String.prototype": String.prototype,
  "Number.prototype": Number.prototype,
  "Boolean.prototype": Boolean.prototype,
};

type Snapshot = Map<string, { parts: unknown[]; ownNames: string[] }>;

function snapshot(): Snapshot {
  const out: Snapshot = new Map();
  for (const [label, prototype] of Object.entries(PROTOTYPES)) {
    out.set(label, { parts: [], ownNames: Reflect.ownKeys(prototype).map(String).sort() });
    for (const key of Reflect.ownKeys(prototype)) {
      const d = Object.getOwnPropertyDescriptor(prototype, key);
      const parts = [d?.value, d?.get, d?.set];
      const ownNames = parts.flatMap((p) => (typeof p === "function" ? Reflect.ownKeys(p).map(String).sort() : []));
      out.set(`${label}.${String(key)}`, { parts, ownNames });
    }
  }
  return out;
}

const ORIGINAL = snapshot();
const CALL = Function.prototype.call;
const APPLY = Function.prototype.apply;
const BIND = Function.prototype.bind;

/** What differs from the built-ins at load: a replaced or added property, or a function's new own property. */
export function builtinChanges(): string[] {
  const now = snapshot();
  const changes: string[] = [];
  for (const [key, before] of ORIGINAL) {
    const after = now.get(key);
    if (!after || after.parts.some((part, i) => part !== before.parts[i])) changes.push(`${key} was replaced or removed`);
    else if (after.ownNames.join() !== before.ownNames.join()) changes.push(`${key} now has own properties ${after.ownNames.join(", ")}`);
  }
  for (const key of now.keys()) if (!ORIGINAL.has(key)) changes.push(`${key} was added`);
  return changes;
}

/** Every built-in prototype and function as it was at load, by identity; and the calls zod, Drizzle and jose make. */
export function expectBuiltinsUntouched(): void {
  expect(builtinChanges()).toEqual([]);
  for (const name of ["hasOwnProperty", "toString", "valueOf", "isPrototypeOf"] as const) {
    const method = Object.prototype[name];
    expect(method.call === CALL && method.apply === APPLY && method.bind === BIND, `Object.prototype.${name}.call/apply/bind`).toBe(true);
  }
  expect(Function.prototype.toString.call === CALL, "Function.prototype.toString.call").toBe(true);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}
