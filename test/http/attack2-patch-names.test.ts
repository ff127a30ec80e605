// A hostile tenant against the PATCH name rules after H5/H6 (src/scim/patch-names.ts): the rules decide every
// path and value key a request SENDS, but a "remove" of the whole enterprise extension is turned into one
// path per key the STORED extension holds (src/scim/user-patch.ts wholeSchemaOperation), and those paths reach
// scim-patch without checkPath. A POST stores inherited names as plain keys (by design), so a stored key such
// as "constructor.keys" becomes the path `${URN}:constructor.keys`, which scim-patch walks from the extension
// object to Object.keys and deletes. Here only the freeze (src/freeze-builtins.ts: Object is frozen) stops it:
// the delete throws and the remove answers 400 invalidPath, so the user's extension can never be removed.
// With a key under Object.prototype, which is not frozen, the delete lands for every tenant of the isolate:
// test/node/attack2-builtins-isolate.test.ts (critical; run in a workerd of its own, since it breaks the isolate).
//
// Suggested fix: src/scim/user-patch.ts wholeSchemaOperation, for "remove": delete the extension from
// `current` itself (one own key) instead of one scim-patch path per stored key.
import { describe, expect, it } from "vitest";
import { connectedTenant, entraUser } from "../support/gateway.ts";

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const patchOf = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

describe("removing the whole enterprise extension when a stored key names a built-in", () => {
  // Hole (the first layer; measured: 400 invalidPath "(remove urn:...:User:constructor.keys): the path is not a
  // valid attribute path", and Object.keys untouched only because it is frozen).
  it("removes the extension holding a stored key 'constructor.keys' with 200, and Object.keys stays a function", async () => {
    const attacker = await connectedTenant();
    const created = await attacker.scim("POST", "/Users", entraUser("11234567890", { [ENTERPRISE]: { department: "Sales", "constructor.keys": "v" } }));
    expect(created.status, created.text).toBe(201);
    const removed = await attacker.scim("PATCH", `/Users/${created.body.id}`, patchOf({ op: "remove", path: ENTERPRISE }));
    expect(typeof Object.keys).toBe("function");
    expect(removed.status, removed.text).toBe(200);
    expect(removed.body[ENTERPRISE], removed.text).toBeUndefined();
  });

  it("removes an extension of ordinary keys with 200", async () => {
    const attacker = await connectedTenant();
    const created = await attacker.scim("POST", "/Users", entraUser("11234567890", { [ENTERPRISE]: { department: "Sales", costCenter: "7" } }));
    expect(created.status, created.text).toBe(201);
    const removed = await attacker.scim("PATCH", `/Users/${created.body.id}`, patchOf({ op: "remove", path: ENTERPRISE }));
    expect(removed.status, removed.text).toBe(200);
    expect(removed.body[ENTERPRISE], removed.text).toBeUndefined();
  });
});
