// Issue 12 §1: deprovisioning is never blocked. After an account manager renames or removes a manager, or
// adds a second one to a tenant whose users relied on the one-manager default, Entra's disable of those
// users must still succeed: displayName is judged only when a request sets it to a new value.
import { describe, expect, it } from "vitest";
import { entraUser } from "../support/gateway.ts";
import { eventsOf, managedTenant, patchOf, storedUser } from "../support/managers.ts";

const DISABLE = patchOf({ op: "Replace", path: "active", value: "False" });

describe("a user whose stored manager is no longer listed", () => {
  it("is disabled with 200, the core event carries the stored manager, and the log says managerUnlisted", async () => {
    const t = await managedTenant({ managers: ["Ann Manager", "Bob Boss"] });
    const created = await t.send(undefined, "POST", "/Users", entraUser("11234567890"));
    expect(created.status, created.text).toBe(201);
    await t.setRecord({ managers: ["Bob Boss"] });

    const res = await t.send(undefined, "PATCH", `/Users/${created.body.id}`, DISABLE);
    expect(res.status, res.text).toBe(200);
    expect(res.body.active).toBe(false);
    expect(res.log).toMatchObject({ status: 200, managerUnlisted: true });
    const [, disabled] = await eventsOf(t.tenantId, created.body.id);
    expect(disabled).toMatchObject({ type: "user.deactivated", payload: { manager: "Ann Manager", user: { active: false } } });
  });

  it("is enabled, changed and deleted as usual when its manager was renamed without an alias", async () => {
    const t = await managedTenant({ managers: ["Ann Manager"] });
    const created = await t.send(undefined, "POST", "/Users", entraUser("11234567890"));
    await t.send(undefined, "PATCH", `/Users/${created.body.id}`, DISABLE);
    await t.setRecord({ managers: ["Ann Smith"] });

    const enabled = await t.send(undefined, "PATCH", `/Users/${created.body.id}`, patchOf({ op: "Replace", path: "active", value: "True" }));
    expect(enabled.status, enabled.text).toBe(200);
    expect(enabled.body.active).toBe(true);
    // Entra re-sends the unchanged constant alongside the change: not a new value, so not judged again.
    const renamed = await t.send(
      undefined,
      "PATCH",
      `/Users/${created.body.id}`,
      patchOf({ op: "Replace", path: "displayName", value: "Ann Manager" }, { op: "Replace", path: "name.givenName", value: "Annie" }),
    );
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body.name.givenName).toBe("Annie");
    expect(renamed.log.managerUnlisted).toBe(true);
    const deleted = await t.send(undefined, "DELETE", `/Users/${created.body.id}`);
    expect(deleted.status, deleted.text).toBe(204);
    expect(deleted.log.managerUnlisted).toBe(true);
    expect(await storedUser(t.tenantId, created.body.id)).toBeNull();
    const events = await eventsOf(t.tenantId, created.body.id);
    expect(events.map((e) => [e.type, e.payload.manager])).toEqual([
      ["user.created", "Ann Manager"],
      ["user.deactivated", "Ann Manager"],
      ["user.reactivated", "Ann Manager"],
      ["user.updated", "Ann Manager"],
      ["user.deleted", "Ann Manager"],
    ]);
  });

  it("is disabled after a second manager is added to a tenant whose users had no displayName (the one-manager default)", async () => {
    const t = await managedTenant({ managers: ["Ann Manager"] });
    const { displayName: _none, ...body } = entraUser("11234567890");
    const created = await t.send(undefined, "POST", "/Users", body);
    expect(created.status, created.text).toBe(201);
    await t.setRecord({ managers: ["Ann Manager", "Bob Boss"] });

    const res = await t.send(undefined, "PATCH", `/Users/${created.body.id}`, DISABLE);
    expect(res.status, res.text).toBe(200);
    expect((await storedUser(t.tenantId, created.body.id))?.manager).toBe("Ann Manager");
    expect(res.log.managerUnlisted).toBeUndefined();
  });
});

describe("a PATCH that deactivates a user", () => {
  it("is never refused because of its displayName: the deactivation and other changes apply, the unlisted name is ignored and logged", async () => {
    const t = await managedTenant({ managers: ["Ann Manager", "Bob Boss"] });
    const created = await t.send(undefined, "POST", "/Users", entraUser("11234567890"));
    const res = await t.send(
      undefined,
      "PATCH",
      `/Users/${created.body.id}`,
      patchOf(
        { op: "Replace", path: "displayName", value: "Carol Unknown" },
        { op: "Replace", path: "active", value: false },
        { op: "Replace", path: "name.familyName", value: "Leaver" },
      ),
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ active: false, displayName: "Ann Manager", name: { familyName: "Leaver" } });
    expect(res.log).toMatchObject({ displayNameIgnored: true });
    const [, disabled] = await eventsOf(t.tenantId, created.body.id);
    expect(disabled?.payload).toMatchObject({ type: "user.deactivated", manager: "Ann Manager", user: { displayName: "Ann Manager", familyName: "Leaver" } });
  });

  it("still refuses an unlisted displayName on a PATCH that leaves the user active, changing nothing", async () => {
    const t = await managedTenant({ managers: ["Ann Manager", "Bob Boss"] });
    const created = await t.send(undefined, "POST", "/Users", entraUser("11234567890"));
    const res = await t.send(
      undefined,
      "PATCH",
      `/Users/${created.body.id}`,
      patchOf({ op: "Replace", path: "displayName", value: "Carol Unknown" }, { op: "Replace", path: "name.familyName", value: "Stayer" }),
    );
    expect(res.status, res.text).toBe(400);
    expect(res.body.scimType).toBe("invalidValue");
    expect((await storedUser(t.tenantId, created.body.id))?.version).toBe(1);
  });
});
