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
