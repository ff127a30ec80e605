// fast-check generators for hostile input: strings that break parsers, JSON that breaks schemas, and
// Entra's own request shapes with one part mutated.
import fc from "fast-check";

const NASTY = [
  "",
  " ",
  "\u0000",
  "\ud800",
  "\udfff",
  "\u202e11234567890",
  "\u200f",
  "\ufeff",
  "__proto__",
  "constructor",
  "prototype",
  "__proto__.polluted",
  "constructor.prototype.polluted",
  '"',
  "\\",
  "\\\\\"",
  "x".repeat(5000),
  "(".repeat(500),
  "[".repeat(300),
  "1".repeat(40),
  "+",
  "00",
  "null",
  "NaN",
  "1e309",
];

export const hostileString = () => fc.oneof(fc.constantFrom(...NASTY), fc.string(), fc.string({ unit: "binary" }), fc.string({ maxLength: 3000 }));

const deep = (depth: number): unknown => (depth === 0 ? 1 : { a: [deep(depth - 1)] });

export const hostileJson = () =>
  fc.oneof(
    fc.jsonValue(),
    fc.constantFrom<unknown>(
      null,
      [],
      "",
      0,
      true,
      deep(200),
      JSON.parse('{"__proto__": {"polluted": 1}, "userName": "11234567890"}'),
      JSON.parse('{"constructor": {"prototype": {"polluted": 1}}, "userName": "11234567890"}'),
      { userName: 11234567890 },
      { userName: ["11234567890"] },
      { userName: { value: "11234567890" } },
      { schemas: "urn:ietf:params:scim:api:messages:2.0:PatchOp", Operations: {} },
      { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: Array.from({ length: 500 }, () => ({ op: "add", path: "title", value: "x" })) },
    ),
  );

const ENTRA_USER = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  externalId: "11234567890",
  userName: "11234567890",
  active: "True",
  displayName: "Ann Manager",
  emails: [{ primary: true, type: "work", value: "ann@contoso.example" }],
  meta: { resourceType: "User" },
  name: { formatted: "Ann Lee", familyName: "Lee", givenName: "Ann" },
  roles: [],
};

const ENTRA_PATCH = {
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations: [
    { op: "Replace", path: "active", value: "False" },
    { op: "Add", path: 'emails[type eq "work"].value', value: "b@contoso.example" },
    { op: "Replace", value: { "name.givenName": "Bo", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Ops" } },
    { op: "Remove", path: "externalId" },
  ],
};

/** Replaces the value at one random place in a document with hostile JSON or a hostile string. */
const mutate = (document: unknown) =>
  fc.tuple(fc.nat(), fc.oneof(hostileJson(), hostileString())).map(([pick, replacement]) => {
    const copy = JSON.parse(JSON.stringify(document)) as unknown;
    const slots: [Record<string, unknown> | unknown[], string | number][] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach((child, i) => (slots.push([node, i]), walk(child)));
      else if (node && typeof node === "object")
        for (const [k, child] of Object.entries(node)) slots.push([node as Record<string, unknown>, k]), walk(child);
    };
    walk(copy);
    const slot = slots[pick % slots.length];
    if (slot) (slot[0] as Record<string | number, unknown>)[slot[1]] = replacement;
    return copy;
  });

export const mutatedEntraUser = () => mutate(ENTRA_USER);
export const mutatedEntraPatch = () => mutate(ENTRA_PATCH);

export const patchPath = () =>
  fc.oneof(
    fc.constantFrom(
      "__proto__.polluted",
      "constructor.prototype.polluted",
      "name.__proto__.polluted",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:__proto__",
      'emails[type eq "__proto__"].value',
      "emails[__proto__ eq 1].value",
      "toString",
      "hasOwnProperty",
    ),
    fc.string(),
  );

/**
 * Names a JavaScript value has or inherits (issue 11 §1), in random case. "name" is among them, and is also
 * a SCIM attribute, which the gateway must keep accepting.
 */
const INHERITED = [
  "toString", "hasOwnProperty", "call", "bind", "apply", "valueOf", "isPrototypeOf", "length", "name", "constructor",
  "__proto__", "prototype", "toLocaleString", "propertyIsEnumerable", "__defineGetter__", "__lookupSetter__", "caller",
  "arguments", "map", "charAt", "toFixed",
];
const SCHEMA_SEGMENTS = ["userName", "name", "givenName", "familyName", "emails", "value", "type", "displayName", "title", "department"];
const URNS = ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"];

/** A name, and whether the gateway must refuse it: an inherited name other than the schema's "name". */
export type Named<T> = { text: T; hostile: boolean };

const randomCase = (name: string) =>
  fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(""));

export const inheritedName = () => fc.constantFrom(...INHERITED).chain((name) => fc.oneof(fc.constant(name), randomCase(name)));

const segment = (): fc.Arbitrary<Named<string>> =>
  fc.oneof(
    inheritedName().map((text) => ({ text, hostile: text.toLowerCase() !== "name" })),
    fc.constantFrom(...SCHEMA_SEGMENTS).map((text) => ({ text, hostile: false })),
    // Unknown attributes, as Entra sends leftover mappings; the "x" keeps them clear of inherited names.
    fc.stringMatching(/^x[a-zA-Z0-9]{0,8}$/).map((text) => ({ text, hostile: false })),
  );

/** A dotted attribute path, sometimes URN-qualified, whose segments mix inherited, schema and unknown names. */
export const attributePath = (): fc.Arbitrary<Named<string>> =>
  fc.tuple(fc.option(fc.constantFrom(...URNS), { nil: undefined }), fc.array(segment(), { minLength: 1, maxLength: 4 })).map(([urn, segments]) => ({
    text: `${urn ? `${urn}:` : ""}${segments.map((s) => s.text).join(".")}`,
    hostile: segments.some((s) => s.hostile),
  }));

const leaf = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null));

/** A JSON value whose keys, at any depth, are attribute paths as above. */
export const valueWithKeys = (): fc.Arbitrary<Named<unknown>> =>
  fc.letrec<{ value: Named<unknown>; object: Named<unknown> }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      leaf.map((text) => ({ text, hostile: false })),
      fc.array(tie("value"), { maxLength: 3 }).map((items) => ({ text: items.map((i) => i.text), hostile: items.some((i) => i.hostile) })),
      tie("object"),
    ),
    object: fc.array(fc.tuple(attributePath(), tie("value")), { maxLength: 3 }).map((entries) => {
      const last = new Map(entries.map(([key, value]) => [key.text, { key, value }]));
      return {
        text: Object.fromEntries([...last].map(([k, { value }]) => [k, value.text])),
        hostile: [...last.values()].some(({ key, value }) => key.hostile || value.hostile),
      };
    }),
  })).value;

/** One PATCH operation built from those names, and the refusal it must get (undefined: any outcome but that one). */
export const namedPatchOperation = () =>
  fc.oneof(
    fc.tuple(fc.constantFrom("add", "Replace", "remove"), attributePath(), valueWithKeys()).map(([op, path, value]) => ({
      operation: { op, path: path.text, value: value.text },
      refusal: path.hostile ? "invalidPath" : value.hostile ? "invalidValue" : undefined,
    })),
    fc.tuple(fc.constantFrom("add", "replace"), fc.array(fc.tuple(attributePath(), valueWithKeys()), { minLength: 1, maxLength: 3 })).map(([op, entries]) => {
      const last = new Map(entries.map(([key, value]) => [key.text, { key, value }]));
      return {
        operation: { op, value: Object.fromEntries([...last].map(([k, { value }]) => [k, value.text])) },
        refusal: [...last.values()].some(({ key, value }) => key.hostile || value.hostile) ? "invalidValue" : undefined,
      };
    }),
  );
