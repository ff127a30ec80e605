// Issue 12 §5: the e-mail shapes Entra sends to clear or replace the work e-mail. Clearing must work (200)
// and tell the core the e-mail is gone; a path-less add of a work e-mail replaces it (one work e-mail).
import { describe, expect, it } from "vitest";
import { connectedTenant, entraUser } from "../support/gateway.ts";
import { eventsOf, patchOf } from "../support/managers.ts";

const WORK_VALUE = 'emails[type eq "work"].value';

async function userWithWorkEmail(emails?: unknown[]) {
  const t = await connectedTenant();
  const created = await t.scim("POST", "/Users", entraUser("11234567890", emails ? { emails } : {}));
  expect(created.status, created.text).toBe(201);
  return { ...t, id: created.body.id as string };
}

const lastEvent = async (tenantId: string, id: string) => (await eventsOf(tenantId, id)).at(-1)?.payload;

describe("clearing the work e-mail", () => {
  it.each([
    ["Remove of emails[type eq \"work\"].value", { op: "Remove", path: WORK_VALUE }],
    ["Replace of emails[type eq \"work\"].value with \"\"", { op: "Replace", path: WORK_VALUE, value: "" }],
  ])("%s answers 200, leaves no work e-mail, and the core event says workEmail null", async (_what, operation) => {
    const t = await userWithWorkEmail();
    const res = await t.scim("PATCH", `/Users/${t.id}`, patchOf(operation));
    expect(res.status, res.text).toBe(200);
    expect(res.body.emails).toBeUndefined();
    expect(await lastEvent(t.tenantId, t.id)).toMatchObject({ type: "user.updated", version: 2, user: { workEmail: null } });
  });

  it("keeps another typed e-mail, and the core is not sent that one as the work e-mail", async () => {
    const t = await userWithWorkEmail([
      { type: "work", value: "ann.lee@contoso.example", primary: true },
      { type: "home", value: "ann@home.example" },
    ]);
    const res = await t.scim("PATCH", `/Users/${t.id}`, patchOf({ op: "Remove", path: WORK_VALUE }));
    expect(res.status, res.text).toBe(200);
    expect(res.body.emails).toEqual([{ type: "home", value: "ann@home.example" }]);
    expect((await lastEvent(t.tenantId, t.id))?.user.workEmail).toBeNull();
  });
});

describe("a path-less add of a work e-mail", () => {
  it("replaces the work e-mail instead of adding a second one, and the core gets the new one", async () => {
    const t = await userWithWorkEmail();
    const res = await t.scim(
      "PATCH",
      `/Users/${t.id}`,
      patchOf({ op: "Add", value: { emails: [{ type: "work", value: "ann.new@contoso.example", primary: true }] } }),
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.emails).toEqual([{ type: "work", value: "ann.new@contoso.example", primary: true }]);
    expect((await lastEvent(t.tenantId, t.id))?.user.workEmail).toBe("ann.new@contoso.example");
  });

  it("does the same with a path of emails, and leaves other types alone", async () => {
    const t = await userWithWorkEmail([
      { type: "home", value: "ann@home.example" },
      { type: "work", value: "ann.lee@contoso.example" },
    ]);
    const res = await t.scim("PATCH", `/Users/${t.id}`, patchOf({ op: "add", path: "emails", value: [{ type: "Work", value: "ann.new@contoso.example" }] }));
    expect(res.status, res.text).toBe(200);
    expect(res.body.emails).toEqual([
      { type: "home", value: "ann@home.example" },
      { type: "Work", value: "ann.new@contoso.example" },
    ]);
    expect((await lastEvent(t.tenantId, t.id))?.user.workEmail).toBe("ann.new@contoso.example");
  });
});
