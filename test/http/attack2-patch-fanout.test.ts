// A hostile tenant against the PATCH work budget of src/scim/patch-work.ts (H1-H3, commit 83ffe2d). The
// budget charges each operation (1 + the document's longest array) x (1 + the keys and items of its value),
// before it runs. Two things scim-patch does are not in that product:
//  - navigate() walks a dotted path with flatMap, so a path through nested arrays reaches every item of
//    every array on the way: the product of their lengths, not the longest one;
//  - a "replace" with an object value on an array assigns the SAME value object into every item
//    (addOrReplaceAttribute maps over the array, assign() stores the reference), and the next operation's
//    JSON copy (scimPatch with mutateDocument: false) makes one real copy per item.
// Together: `replace x = {a:[{},{}]}`, then `replace x.a = {a:[{},{}]}`, then `x.a.a`, ... doubles the leaves
// at every operation while the longest array stays 2, so each costs (1 + 2) x (1 + 3) = 12 of the 20,000:
// d operations build 2^d objects, and every later operation copies them all (JSON round trip per operation,
// longestArray walk per operation, then the size cap's JSON.stringify). The body stays under 2 KB.
//
// Measured in this test runtime (vitest-pool-workers, workerd), the PATCH alone: depth 8 67 ms; 12 127 ms;
// 14 336 ms; 16 754 ms; 18 (1,322 bytes, 19 operations, budget spent 225 of 20,000) 4.3-4.9 s, and the victim
// tenant's lookup sent at the same moment answered after 4.3 s (about 2.2x per level). 2^25 objects, 26 operations
// (about 3 KB), is far past the 128 MB a Worker isolate has: the isolate dies with every tenant's requests in it.
// The victim's lookup sent while the attack runs waits for it (same isolate, one thread).
//
// Suggested fix (src/scim/user-patch.ts applyUserPatch, with src/scim/patch-work.ts): bound the DOCUMENT, not
// only the product, after every operation: walk `current` (weightOf plus string lengths) and refuse with
// tooMany once it passes a bound a real user never nears (say 16,384 nodes or 64 KiB of strings); shared
// references count once per place they appear, which is what the next JSON copy will allocate. And charge an
// operation by the items its path reaches (the product of the arrays along it), not the longest array.
import { describe, expect, it } from "vitest";
import { attackerAndVictim, patchBesideVictimLookup } from "../support/attack.ts";
import { connectedTenant, entraUser } from "../support/gateway.ts";

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const patchOf = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });
const ONE_SECOND = 1_000;
const HEAVY = 180_000;

/** `add x = [{},{}]`, then `depth` replaces that each give every leaf two new items: 2^(depth+1) leaves. */
function doublingPatch(depth: number) {
  const ops: unknown[] = [{ op: "add", path: "x", value: [{}, {}] }];
  for (let d = 0; d < depth; d++) ops.push({ op: "replace", path: ["x", ...Array<string>(d).fill("a")].join("."), value: { a: [{}, {}] } });
  return patchOf(...ops);
}

const twoTenants = attackerAndVictim;

describe("a PATCH whose path fans out through nested arrays", () => {
  // Hole: the budget charges 12 a level (well inside 20,000), and the work doubles a level.
  it(
    "answers a 19-operation PATCH (1.2 KB) that doubles a nested array at every level within a second, and the victim's lookup sent meanwhile within a second",
    async () => {
      const { attacker, victim, targetPath, victimPath } = await twoTenants();
      const { attacked, looked, figures } = await patchBesideVictimLookup(attacker, targetPath, victim, victimPath, doublingPatch(18));
      expect(attacked.status, attacked.text.slice(0, 300)).toBeLessThan(500);
      expect(looked.status, looked.text).toBe(200);
      expect(attacked.ms, figures).toBeLessThan(ONE_SECOND);
      expect(looked.ms, figures).toBeLessThan(ONE_SECOND);
    },
    HEAVY,
  );

  // The same shape, shallow: what the budget lets through without harm, so the test above measures the depth.
  it("answers the same PATCH eight levels deep quickly", async () => {
    const { attacker, targetPath } = await twoTenants();
    const started = Date.now();
    const res = await attacker.scim("PATCH", targetPath, doublingPatch(8));
    expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
    expect(Date.now() - started, res.text.slice(0, 300)).toBeLessThan(ONE_SECOND);
  });
});
