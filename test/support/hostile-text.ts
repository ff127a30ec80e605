// Issue 11 §2: the inputs that made the gateway's parsers take exponential or quadratic time, grown to a
// given length. Shared by the tests (each answered 4xx within a second: test/http/tenant-isolation-attacks
// .test.ts) and the bench, which prints the worst time (test/bench/hostile.ts). Plain data, for workerd and
// Node alike.

const grow = (prefix: string, unit: string, suffix: string, length: number) =>
  prefix + unit.repeat(Math.max(1, Math.ceil((length - prefix.length - suffix.length) / unit.length))) + suffix;

/**
 * GET /Users filters. scim2-parse-filter's quoted-string pattern lets a line feed match two branches: before
 * the fix the first took 0.25 s at 40 characters and 2.6 s at 44, the second 1.3 s at 40 (Node, this
 * machine), each line feed more doubling it. The others are its neighbours, tried alike.
 */
export const hostileFilters = (length: number): [string, string][] => [
  ["line feeds, a backslash, a line feed and a quote", grow('userName eq "', "\n", '\\\n"', length)],
  ["an unterminated string of line feeds", grow('userName eq "', "\n", "", length)],
  ["CR LF pairs in a string", grow('userName eq "', "\r\n", '\\\n"', length)],
  ["line feeds between escaped quotes", grow('userName eq "', '\n\\"', "\\", length)],
  ["tabs and line feeds outside a string", grow("userName", "\t\n", ' eq "1"', length)],
  ["backslashes before a line feed", grow('userName eq "', "\\\\", '\n\\\n"', length)],
  ["nested parentheses", grow("", "(", 'userName eq "1"', length)],
  ["a long run of 'not'", grow("", "not ", 'userName eq "1"', length)],
];

/** Lengths from 16 characters up to `max`, 2 apart while the exponential cases are still fast, then doubling. */
export const growingLengths = (max: number): number[] => {
  const lengths: number[] = [];
  for (let n = 16; n < 128; n += 2) lengths.push(n);
  for (let n = 128; n < max; n *= 2) lengths.push(n);
  return [...lengths, max];
};

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const patchBody = (operation: unknown) => ({ schemas: [PATCH_OP], Operations: [operation] });
const dotted = (length: number) => grow("", "a.", "b", length);

/**
 * PATCH bodies. scim-patch splits a path, and every key of a value, with a pattern quadratic in its length:
 * before the fix a 60,000-character dotted path took 2.4 s and such a key 1.5 s (Node, this machine).
 */
export const hostilePatches = (length: number): [string, unknown][] => [
  ["a dotted path", patchBody({ op: "add", path: dotted(length), value: 1 })],
  ["a dotted key inside a value", patchBody({ op: "add", path: "x", value: { [dotted(length)]: 1 } })],
  ["a dotted path-less value key", patchBody({ op: "add", value: { [dotted(length)]: 1 } })],
  ["a value filter of line feeds in a path", patchBody({ op: "add", path: grow('emails[type eq "', "\n", '\\\n"].value', length), value: 1 })],
];
