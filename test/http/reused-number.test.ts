// Issue 12 §6: a number reassigned to a new person. Entra matches the new person to the old, disabled user
// by userName and re-enables it under the same userId; the event says the holder may be new.
import { describe, expect, it } from "vitest";
import { CoreEvent } from "../../src/core-event.ts";
import { forwardingPipeline } from "../support/forwarding.ts";
import { allowTenant, connectedTenant, devToken, entraUser, newTenantId } from "../support/gateway.ts";
import { eventsOf, patchOf } from "../support/managers.ts";

async function disabledUser() {
  const t = await connectedTenant();
  const created = await t.scim("POST", "/Users", entraUser("11234567890"));
  await t.scim("PATCH", `/Users/${created.body.id}`, patchOf({ op: "Replace", path: "active", value: "False" }));
  return { ...t, id: created.body.id as string };
}

const lastEvent = async (tenantId: string, id: string) => (await eventsOf(tenantId, id)).at(-1)?.payload;

describe("possibleNewHolder", () => {
  it("flags a user.reactivated event whose user comes back with another name and e-mail", async () => {
    const t = await disabledUser();
    const res = await t.scim(
      "PATCH",
      `/Users/${t.id}`,
      patchOf(
        { op: "Replace", path: "active", value: "True" },
        { op: "Replace", path: "name.givenName", value: "Bo" },
        { op: "Replace", path: "name.familyName", value: "Berg" },
        { op: "Replace", path: 'emails[type eq "work"].value', value: "bo.berg@contoso.example" },
      ),
    );
    expect(res.status, res.text).toBe(200);
    const event = await lastEvent(t.tenantId, t.id);
    expect(event).toMatchObject({ type: "user.reactivated", userId: t.id, possibleNewHolder: true });
    expect(CoreEvent.safeParse(event).success).toBe(true);
  });

  it("flags a comeback with only another e-mail", async () => {
    const t = await disabledUser();
    await t.scim("PATCH", `/Users/${t.id}`, patchOf({ op: "replace", value: { active: true, 'emails[type eq "work"].value': "someone@contoso.example" } }));
    expect((await lastEvent(t.tenantId, t.id))?.possibleNewHolder).toBe(true);
  });

  it("leaves it out when the same person is re-enabled, and when an active user is renamed", async () => {
    const t = await disabledUser();
    await t.scim("PATCH", `/Users/${t.id}`, patchOf({ op: "Replace", path: "active", value: "True" }));
    const reenabled = await lastEvent(t.tenantId, t.id);
    expect(reenabled).toMatchObject({ type: "user.reactivated" });
    expect(reenabled).not.toHaveProperty("possibleNewHolder");
    await t.scim("PATCH", `/Users/${t.id}`, patchOf({ op: "Replace", path: "name.givenName", value: "Bo" }));
    const renamed = await lastEvent(t.tenantId, t.id);
    expect(renamed).toMatchObject({ type: "user.updated" });
    expect(renamed).not.toHaveProperty("possibleNewHolder");
  });

  it("is optional in the contract: an event written before it existed still validates", async () => {
    const t = await disabledUser();
    const { possibleNewHolder: _absent, ...older } = (await lastEvent(t.tenantId, t.id)) as Record<string, unknown>;
    expect(CoreEvent.safeParse(older).success).toBe(true);
    expect(CoreEvent.safeParse({ ...older, possibleNewHolder: false }).success).toBe(false);
  });

  it("reaches the core: the emulator, which refuses what the contract does not describe, applies the flagged event", async () => {
    const pipeline = forwardingPipeline();
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const token = await devToken(tenantId);
    const created = await pipeline.scim(token, "POST", "/Users", entraUser("11234567890"));
    const path = `/Users/${created.body.id}`;
    await pipeline.scim(token, "PATCH", path, patchOf({ op: "Replace", path: "active", value: false }));
    await pipeline.scim(token, "PATCH", path, patchOf({ op: "replace", value: { active: true, "name.givenName": "Bo", "name.familyName": "Berg" } }));
    await pipeline.drain();
    const received = pipeline.core.events();
    expect(received.map((e) => e.outcome)).toEqual(["applied", "applied", "applied"]);
    expect(received.at(-1)?.event).toMatchObject({ type: "user.reactivated", possibleNewHolder: true });
  });
});
