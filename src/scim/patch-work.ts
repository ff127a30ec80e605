// How much work one PATCH may make the shared isolate do. scim-patch's work grows with the product of what
// the stored document holds and what the operation sends: a "replace" of an object on an array copies every
// key into every item, a value filter is evaluated on every item, an "add" of a list compares each new item
// with each existing one (deep equality), and a remove by value (user-patch.ts) does the same. Within the
// 64 KiB body limit that product reached millions of property writes: an attack test held the isolate, and
// every tenant it serves, for 19 s with a 31.5 KB body, and 4,000 x 4,000 would have exhausted its memory.
//
// So each operation is charged, before it runs, (1 + the longest array in the document as it stands) x
// (1 + the keys and array items in its value, at any depth), and a request may spend WORK_BUDGET in all. An
// Entra PATCH (a handful of operations on a user with one or two e-mails) spends about a hundred; a disable
// ("active" = false, a value without keys or items) stays cheap whatever the document holds, so a leaver is
// never refused by this rule.
export const WORK_BUDGET = 20_000;

/** Keys and array items in a JSON value, at any depth; walked without recursion. */
export function weightOf(value: unknown): number {
  let weight = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      weight += node.length;
      for (const item of node) stack.push(item);
    } else if (typeof node === "object" && node !== null) {
      for (const child of Object.values(node)) {
        weight++;
        stack.push(child);
      }
    }
  }
  return weight;
}

/** The length of the longest array in a JSON document, at any depth; walked without recursion. */
export function longestArray(document: unknown): number {
  let longest = 0;
  const stack: unknown[] = [document];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      longest = Math.max(longest, node.length);
      for (const item of node) stack.push(item);
    } else if (typeof node === "object" && node !== null) {
      for (const child of Object.values(node)) stack.push(child);
    }
  }
  return longest;
}

/** What one operation with `value` costs on `document`. */
export const operationWork = (document: unknown, value: unknown): number => (1 + longestArray(document)) * (1 + weightOf(value));
