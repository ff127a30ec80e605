// Issue 12 §4: a US number typed without its leading 1 is, 44 % of the time, a possible number of another
// country. A tenant may list its country calling codes; a number outside them is refused with a detail that
// names the likely fix, and never shows the number itself (only a fixed fictitious example).
import { describe, expect, it } from "vitest";
import { connectedTenant, entraUser } from "../support/gateway.ts";
import { managedTenant, patchOf, storedUser } from "../support/managers.ts";

// (617) 555-0123 without its 1: a possible Australian number (61 + 8 digits) to a plain length check.
const US_WITHOUT_1 = "6175550123";

describe("a tenant that lists its country calling codes", () => {
  it("refuses a US number without its country code 1, naming the fix, without echoing the number", async () => {
    const { scim } = await connectedTenant({ callingCodes: ["1"] });
    const res = await scim("POST", "/Users", entraUser(US_WITHOUT_1));
    expect(res.status, res.text).toBe(400);
    expect(res.body.scimType).toBe("invalidValue");
    expect(res.body.detail).toContain("looks like a US number without its country code 1");
    expect(res.body.detail).toContain("e.g. 12025550123");
    expect(res.text).not.toContain(US_WITHOUT_1);
    expect(res.text).not.toContain(US_WITHOUT_1.slice(2));
  });

  it("accepts numbers under its codes, and refuses another country's with a detail naming the tenant's codes", async () => {
    const { scim } = await connectedTenant({ callingCodes: ["1", "44"] });
    expect((await scim("POST", "/Users", entraUser("12025550123"))).status).toBe(201);
    expect((await scim("POST", "/Users", entraUser("441234567890"))).status).toBe(201);
    const res = await scim("POST", "/Users", entraUser("85212345678"));
    expect(res.status, res.text).toBe(400);
    expect(res.body.detail).toContain("not one of this tenant's country codes (1, 44)");
    expect(res.body.detail).toContain("account manager");
  });

  it("still disables a user stored before the list was set, whose number is outside it", async () => {
    const t = await managedTenant({ managers: ["Ann Manager"] });
    const created = await t.send(undefined, "POST", "/Users", entraUser(US_WITHOUT_1));
    expect(created.status, created.text).toBe(201);
    await t.setRecord({ callingCodes: ["1"] });
    const res = await t.send(undefined, "PATCH", `/Users/${created.body.id}`, patchOf({ op: "Replace", path: "active", value: false }));
    expect(res.status, res.text).toBe(200);
    expect((await storedUser(t.tenantId, created.body.id))?.active).toBe(0);
  });
});

describe("a tenant without a list", () => {
  it("accepts a number that is possible under its own code (today's rule)", async () => {
    const { scim } = await connectedTenant();
    expect((await scim("POST", "/Users", entraUser(US_WITHOUT_1))).status).toBe(201);
  });

  it("refuses a number impossible under its own code, adding the US hint when it is a possible US number", async () => {
    const { scim } = await connectedTenant();
    // (212) 555-0123 without its 1: 212 is Morocco, where it is too short.
    const res = await scim("POST", "/Users", entraUser("2125550123"));
    expect(res.status, res.text).toBe(400);
    expect(res.body.detail).toContain("too short for country code 212 (MA)");
    expect(res.body.detail).toContain("looks like a US number without its country code 1: send 1 followed by the national number, e.g. 12025550123");
    expect(res.text).not.toContain("2125550123");
  });
});
