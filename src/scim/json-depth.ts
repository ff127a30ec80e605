// How deep a request body may nest (issue 11 §6). RFC 8259 §9: "An implementation may set limits on the
// maximum depth of nesting." Everything that walks a body afterwards (zod, dropping nulls, scim-patch's
// copies, measuring its size) recurses, so a 20,000-deep array used to end in a RangeError, a 500. A SCIM
// User or PatchOp nests fewer than 10 levels (an enterprise manager inside a PATCH value is 6).

export const MAX_JSON_DEPTH = 32;

/** Whether `value` nests objects and arrays more than `max` levels deep (the top level is 1); no recursion. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [object, number][] = [];
  if (typeof value === "object" && value !== null) stack.push([value, 1]);
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [node, depth] = top;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
