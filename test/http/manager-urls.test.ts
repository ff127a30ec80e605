// Issue 12 §2: one Entra app per manager, each with its own Tenant URL (/scim/v2/managers/<key>), and the
// rules that keep a move from app A to app B from racing (docs/entra-setup.md, "Several managers"). Every
// row of the rules table is a test here; the writes run against real local D1.
import { describe, expect, it } from "vitest";
import type { TenantRecord } from "../../src/tenants/record.ts";
import { entraUser } from "../support/gateway.ts";
import { eventsOf, managedTenant, patchOf, storedUser } from "../support/managers.ts";

const MANAGERS: TenantRecord["managers"] = [
  { key: "ann", name: "Ann Manager" },
  { key: "bob", name: "Bob Boss", aliases: ["Robert Boss"] },
  { key: "cy", name: "Cy Chief", retiredAt: "2026-12-01T10:00:00.000Z" },
];
const GUID = "0a1b2c3d-0000-4000-8000-00000000abcd";
const DISABLE = patchOf({ op: "Replace", path: "active", value: "False" });
const claimFor = (manager: string, ...more: unknown[]) => patchOf({ op: "Replace", path: "displayName", value: manager }, ...more);

async function tenantWithUserOfAnn() {
  const t = await managedTenant({ managers: MANAGERS });
  const created = await t.send("ann", "POST", "/Users", entraUser("11234567890"));
  expect(created.status, created.text).toBe(201);
  return { ...t, id: created.body.id as string };
}

describe("a manager's Tenant URL", () => {
  it("serves Test Connection, lookups and discovery like the shared URL, with locations under itself", async () => {
    const t = await managedTenant({ managers: MANAGERS });
    const users = await t.send("ann", "GET", `/Users?filter=userName+eq+%22${GUID}%22`);
    const groups = await t.send("ann", "GET", `/Groups?excludedAttributes=members&filter=displayName+eq+%22${GUID}%22`);
    expect([users.status, users.body.totalResults, groups.status, groups.body.totalResults], users.text + groups.text).toEqual([200, 0, 200, 0]);
    expect(users.log.route).toBe("/scim/v2/managers/:manager/Users");
    const config = await t.send("ann", "GET", "/ServiceProviderConfig");
    expect(config.status, config.text).toBe(200);
    expect(config.body.meta.location).toBe("https://gateway.test/scim/v2/managers/ann/ServiceProviderConfig");
    const created = await t.send("ANN", "POST", "/Users", entraUser("11234567890"));
    expect(created.status, created.text).toBe(201);
    expect(created.body.meta.location).toBe(`https://gateway.test/scim/v2/managers/ann/Users/${created.body.id}`);
  });

  it.each([
    ["a key the record does not have", "dan"],
    ["a key that cannot be one", "ann%20manager"],
  ])("answers 404 with a detail for %s", async (_why, key) => {
    const t = await managedTenant({ managers: MANAGERS });
    const res = await t.send(key, "GET", "/Users");
    expect(res.status, res.text).toBe(404);
    expect(res.body.detail).toMatch(/Tenant URL/);
  });

  it("answers 404 for a tenant that lists no managers, pointing to the shared URL", async () => {
    const t = await managedTenant({ managers: undefined });
    const res = await t.send("ann", "GET", "/Users");
    expect(res.status, res.text).toBe(404);
    expect(res.body.detail).toContain("/scim/v2");
  });
});

describe("the rules under app X's Tenant URL (docs/entra-setup.md, Several managers)", () => {
  it("POST creates the user under X, with displayName omitted, or X's name in any case, or an alias of X", async () => {
    const t = await managedTenant({ managers: MANAGERS });
    const { displayName: _none, ...withoutName } = entraUser("11234567890");
    const bodies = [withoutName, entraUser("11234567891", { displayName: " bob BOSS " }), entraUser("11234567892", { displayName: "Robert Boss" })];
    const managers = [];
    for (const [via, body] of [["ann", bodies[0]], ["bob", bodies[1]], ["bob", bodies[2]]] as const) {
      const res = await t.send(via, "POST", "/Users", body);
      expect(res.status, res.text).toBe(201);
      managers.push((await storedUser(t.tenantId, res.body.id))?.manager);
    }
    expect(managers).toEqual(["Ann Manager", "Bob Boss", "Bob Boss"]);
  });

  it("POST with another manager's name is refused with a detail naming X's constant", async () => {
    const t = await managedTenant({ managers: MANAGERS });
    const res = await t.send("ann", "POST", "/Users", entraUser("11234567890", { displayName: "Bob Boss" }));
    expect(res.status, res.text).toBe(400);
    expect(res.body.detail).toContain('"Ann Manager"');
  });

  it("POST through a retired manager's URL is refused with a detail", async () => {
    const t = await managedTenant({ managers: MANAGERS });
    const res = await t.send("cy", "POST", "/Users", entraUser("11234567890", { displayName: "Cy Chief" }));
    expect(res.status, res.text).toBe(400);
    expect(res.body.detail).toMatch(/removed/);
  });

  it("lookups by userName and by id find a user whatever its manager", async () => {
    const t = await tenantWithUserOfAnn();
    const byName = await t.send("bob", "GET", "/Users?filter=userName+eq+%2211234567890%22");
    const byId = await t.send("bob", "GET", `/Users/${t.id}`);
    expect([byName.body.totalResults, byId.status]).toEqual([1, 200]);
  });

  it("PATCH and PUT from app Y for X's user change nothing: 200 with the user as stored, logged as ignored", async () => {
    const t = await tenantWithUserOfAnn();
    const patched = await t.send("bob", "PATCH", `/Users/${t.id}`, patchOf({ op: "Replace", path: "name.givenName", value: "Hijack" }, { op: "Replace", path: "active", value: false }));
    const put = await t.send("bob", "PUT", `/Users/${t.id}`, entraUser("11234567890", { displayName: "Ann Manager", active: false }));
    for (const res of [patched, put]) {
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ active: true, name: { givenName: "Ann" }, meta: { version: 'W/"1"' } });
      expect(res.log).toMatchObject({ ignoredForeignManager: true, userId: t.id });
      expect(res.log.eventId).toBeUndefined();
    }
    expect(await eventsOf(t.tenantId, t.id)).toHaveLength(1);
  });

  it("DELETE from app Y for X's user changes nothing: 204, the user stays, logged as ignored", async () => {
    const t = await tenantWithUserOfAnn();
    const res = await t.send("bob", "DELETE", `/Users/${t.id}`);
    expect(res.status, res.text).toBe(204);
    expect(res.log).toMatchObject({ ignoredForeignManager: true });
    expect((await storedUser(t.tenantId, t.id))?.version).toBe(1);
  });

  it("a PATCH from app Y that sets displayName to Y claims the user, with the other changes in it", async () => {
    const t = await tenantWithUserOfAnn();
    const res = await t.send("bob", "PATCH", `/Users/${t.id}`, claimFor("Bob Boss", { op: "Replace", path: "name.givenName", value: "Annie" }));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ displayName: "Bob Boss", active: true, name: { givenName: "Annie" } });
    expect(res.log).toMatchObject({ managerClaimed: true });
    expect(res.log.managerFlip).toBeUndefined();
    const [, claimed] = await eventsOf(t.tenantId, t.id);
    expect(claimed?.payload).toMatchObject({ type: "user.updated", manager: "Bob Boss", user: { givenName: "Annie" } });
  });

  it("a PUT from app Y with displayName Y claims the user", async () => {
    const t = await tenantWithUserOfAnn();
    const res = await t.send("bob", "PUT", `/Users/${t.id}`, entraUser("11234567890", { displayName: "Robert Boss" }));
    expect(res.status, res.text).toBe(200);
    expect((await storedUser(t.tenantId, t.id))?.manager).toBe("Bob Boss");
  });

  it("a PATCH from X for its own user that names another manager is refused, unless it deactivates", async () => {
    const t = await tenantWithUserOfAnn();
    const moved = await t.send("ann", "PATCH", `/Users/${t.id}`, claimFor("Bob Boss"));
    expect(moved.status, moved.text).toBe(400);
    expect(moved.body.detail).toContain('"Ann Manager"');
    const leaving = await t.send("ann", "PATCH", `/Users/${t.id}`, claimFor("Bob Boss", { op: "Replace", path: "active", value: false }));
    expect(leaving.status, leaving.text).toBe(200);
    expect(leaving.body).toMatchObject({ active: false, displayName: "Ann Manager" });
    expect(leaving.log).toMatchObject({ displayNameIgnored: true });
  });

  it("a retired manager's URL still looks up, disables and deletes its users, but its claims are ignored", async () => {
    const t = await managedTenant({ managers: [{ key: "ann", name: "Ann Manager" }, { key: "cy", name: "Cy Chief" }] });
    const ofCy = await t.send("cy", "POST", "/Users", entraUser("11234567890", { displayName: "Cy Chief" }));
    const ofAnn = await t.send("ann", "POST", "/Users", entraUser("11234567891"));
    await t.setRecord({ managers: [{ key: "ann", name: "Ann Manager" }, { key: "cy", name: "Cy Chief", retiredAt: "2026-12-01T10:00:00.000Z" }] });

    expect((await t.send("cy", "GET", `/Users/${ofCy.body.id}`)).status).toBe(200);
    const disabled = await t.send("cy", "PATCH", `/Users/${ofCy.body.id}`, DISABLE);
    expect(disabled.status, disabled.text).toBe(200);
    expect(disabled.body.active).toBe(false);
    expect(disabled.log).toMatchObject({ managerUnlisted: true });
    const claim = await t.send("cy", "PATCH", `/Users/${ofAnn.body.id}`, claimFor("Cy Chief"));
    expect(claim.status, claim.text).toBe(200);
    expect(claim.log).toMatchObject({ ignoredForeignManager: true });
    expect((await storedUser(t.tenantId, ofAnn.body.id))?.manager).toBe("Ann Manager");
    expect((await t.send("cy", "DELETE", `/Users/${ofCy.body.id}`)).status).toBe(204);
    expect(await storedUser(t.tenantId, ofCy.body.id)).toBeNull();
  });
});

describe("a move from app A to app B", () => {
  it("A's disable first, then B's claim (displayName B, active true): the user ends under B, active", async () => {
    const t = await tenantWithUserOfAnn();
    expect((await t.send("ann", "PATCH", `/Users/${t.id}`, DISABLE)).status).toBe(200);
    const claim = await t.send("bob", "PATCH", `/Users/${t.id}`, claimFor("Bob Boss", { op: "Replace", path: "active", value: "True" }));
    expect(claim.status, claim.text).toBe(200);
    expect(await storedUser(t.tenantId, t.id)).toMatchObject({ manager: "Bob Boss", active: 1 });
  });

  it("B's claim first, then A's late disable: the disable is ignored and the user stays under B, active", async () => {
    const t = await tenantWithUserOfAnn();
    expect((await t.send("bob", "PATCH", `/Users/${t.id}`, claimFor("Bob Boss"))).status).toBe(200);
    const late = await t.send("ann", "PATCH", `/Users/${t.id}`, DISABLE);
    expect(late.status, late.text).toBe(200);
    expect(late.log).toMatchObject({ ignoredForeignManager: true });
    expect(await storedUser(t.tenantId, t.id)).toMatchObject({ manager: "Bob Boss", active: 1, version: 2 });
  });

  it("A's disable landing between B's lookup and B's claim (which then sends only displayName): the user ends under B, active", async () => {
    const t = await tenantWithUserOfAnn();
    const looked = await t.send("bob", "GET", "/Users?filter=userName+eq+%2211234567890%22");
    expect(looked.body.Resources[0].active).toBe(true);
    await t.send("ann", "PATCH", `/Users/${t.id}`, DISABLE);
    const claim = await t.send("bob", "PATCH", `/Users/${t.id}`, claimFor("Bob Boss"));
    expect(claim.status, claim.text).toBe(200);
    expect(await storedUser(t.tenantId, t.id)).toMatchObject({ manager: "Bob Boss", active: 1 });
    const events = await eventsOf(t.tenantId, t.id);
    expect(events.map((e) => [e.type, e.payload.manager, e.payload.user.active])).toEqual([
      ["user.created", "Ann Manager", true],
      ["user.deactivated", "Ann Manager", false],
      ["user.reactivated", "Bob Boss", true],
    ]);
  });

  it("a claim that itself says active false leaves the user disabled under B", async () => {
    const t = await tenantWithUserOfAnn();
    await t.send("ann", "PATCH", `/Users/${t.id}`, DISABLE);
    await t.send("bob", "PATCH", `/Users/${t.id}`, claimFor("Bob Boss", { op: "Replace", path: "active", value: false }));
    expect(await storedUser(t.tenantId, t.id)).toMatchObject({ manager: "Bob Boss", active: 0 });
  });

  it("A's disable and B's claim sent at the same moment, many times over: every user ends under B, active", async () => {
    const t = await managedTenant({ managers: MANAGERS });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const created = await t.send("ann", "POST", "/Users", entraUser(`112345678${String(i).padStart(2, "0")}`));
      expect(created.status, created.text).toBe(201);
      ids.push(created.body.id);
    }
    await Promise.all(
      ids.flatMap((id, i) => {
        const disable = t.send("ann", "PATCH", `/Users/${id}`, DISABLE);
        const claim = t.send("bob", "PATCH", `/Users/${id}`, claimFor("Bob Boss"));
        return i % 2 ? [disable, claim] : [claim, disable];
      }),
    );
    for (const id of ids) expect(await storedUser(t.tenantId, id)).toMatchObject({ manager: "Bob Boss", active: 1 });
  });

  it("a user claimed back and forth by two apps is reported as a flip", async () => {
    const t = await tenantWithUserOfAnn();
    expect((await t.send("bob", "PATCH", `/Users/${t.id}`, claimFor("Bob Boss"))).log.managerFlip).toBeUndefined();
    const back = await t.send("ann", "PATCH", `/Users/${t.id}`, claimFor("Ann Manager"));
    expect(back.status, back.text).toBe(200);
    expect(back.log).toMatchObject({ managerClaimed: true, managerFlip: true });
  });
});

describe("the shared URL", () => {
  it("flags a tenant with several active managers on every request, and not one with a single manager", async () => {
    const several = await managedTenant({ managers: MANAGERS });
    expect((await several.send(undefined, "GET", "/Users")).log).toMatchObject({ status: 200, sharedUrlMultiManager: true });
    const single = await managedTenant({ managers: [{ key: "ann", name: "Ann Manager" }, { key: "cy", name: "Cy", retiredAt: "2026-12-01T10:00:00.000Z" }] });
    expect((await single.send(undefined, "GET", "/Users")).log.sharedUrlMultiManager).toBeUndefined();
  });

  it("keeps today's behaviour: a PATCH of displayName moves the user to that manager", async () => {
    const t = await tenantWithUserOfAnn();
    const res = await t.send(undefined, "PATCH", `/Users/${t.id}`, claimFor("Robert Boss"));
    expect(res.status, res.text).toBe(200);
    expect((await storedUser(t.tenantId, t.id))?.manager).toBe("Bob Boss");
  });
});
