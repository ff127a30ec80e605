// How much work one PATCH may make the shared isolate do. scim-patch's work grows with the product of what
// the stored document holds and what the operation sends: a "replace" of an object on an array copies every
// key into every item, a value filter is evaluated on every item, an "add" of a list compares each new item
// with each existing one (deep equality), and a remove by value (user-patch.ts) does the same. Within the
// 64 KiB body limit that product reached millions of property writes: an attack test held the isolate, and
// every tenant it serves, for 19 s with a 31.5 KB body, and 4,000 x 4,000 would have exhausted its memory.
//
// So each operation is charged, before it runs, (1 + the longest array in the document as it stands) x
// (1 + the keys, array items and 64-character slices of strings in its value, at any depth), and a request may
// spend WORK_BUDGET in all. A second attack showed two things that product misses, so the document itself is
// bounded too (DOCUMENT_BUDGET, measured before every operation but the first): a path through nested arrays
// reaches every item of every array on it, and a replace puts the SAME value into each, which the next
// operation's copy multiplies (19 operations in 1.3 KB built 2^19 objects and held the isolate 4.3 s); and a
// string was weightless (a 40,000-character value put into 4,000 items made a 160-million-character user). An
// Entra PATCH (a handful of operations on a user with one or two e-mails) spends about a hundred; a disable
// ("active" = false, a value without keys or items) stays cheap whatever the document holds, so a leaver is
// never refused by this rule.
export const WORK_BUDGET = 20_000;

/** A document a request may build: in the units of weightOf, counted per place a shared value appears. */
export const DOCUMENT_BUDGET = 65_536;

/** Each 64 characters of a string weigh one unit: scim-patch copies strings into every item like keys. */
const CHARACTERS_PER_UNIT = 64;

/** Keys, array items and 64-character slices of strings in a JSON value, at any depth; walked without recursion. */
export function weightOf(value: unknown): number {
  return shapeOf(value, Number.POSITIVE_INFINITY).weight;
}

/**
 * The weight of a JSON document (as weightOf, each place a shared value appears counted again: that is what
 * the next copy allocates) and its longest array, at any depth; walked without recursion, and stopped as soon
 * as the weight passes `limit`, so measuring a document that grew out of bounds costs no more than the bound.
 */
export function shapeOf(document: unknown, limit = DOCUMENT_BUDGET): { weight: number; longestArray: number } {
  let weight = 0;
  let longest = 0;
  const stack: unknown[] = [document];
  while (stack.length > 0 && weight <= limit) {
    const node = stack.pop();
    if (typeof node === "string") {
      weight += Math.floor(node.length / CHARACTERS_PER_UNIT);
    } else if (Array.isArray(node)) {
      weight += node.length;
      longest = Math.max(longest, node.length);
      for (const item of node) stack.push(item);
    } else if (typeof node === "object" && node !== null) {
      for (const child of Object.values(node)) {
        weight++;
        stack.push(child);
      }
    }
  }
  return { weight, longestArray: longest };
}

/** What one operation with `value` costs on a document whose longest array is `longestArray`. */
export const operationWork = (longestArray: number, value: unknown): number => (1 + longestArray) * (1 + weightOf(value));
