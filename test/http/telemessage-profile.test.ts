// TeleMessage's profile: userName is a mobile number in international format; displayName names a
// company manager from the tenant's allow-list record.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { connectedTenant, entraUser } from "../support/gateway.ts";
import { testD1 } from "../support/shards.ts";

describe("the mobile number in userName", () => {
  it.each(["11234567890", "441234567890", "85212345678"])("accepts the setup guide's example %s", async (mobile) => {
    const { scim } = await connectedTenant();
    const res = await scim("POST", "/Users", entraUser(mobile));
    expect(res.status, res.text).toBe(201);
    expect(res.body.userName).toBe(mobile);
  });

  it("keeps userName exactly as sent while matching on its digits", async () => {
    const { scim } = await connectedTenant();
    const res = await scim("POST", "/Users", entraUser("+44 1234 567890"));
    expect(res.status, res.text).toBe(201);
    expect(res.body.userName).toBe("+44 1234 567890");
    const found = await scim("GET", "/Users?filter=userName+eq+%22441234567890%22");
    expect(found.body.Resources.map((u: { id: string }) => u.id)).toEqual([res.body.id]);
  });

  it("rejects a national number with a leading 0 and shows the international form", async () => {
    const { scim } = await connectedTenant();
    const res = await scim("POST", "/Users", entraUser("01234567890"));
    expect(res.status, res.text).toBe(400);
    expect(res.body.scimType).toBe("invalidValue");
    expect(res.body.detail).toMatch(/international/i);
    expect(res.body.detail).toContain("441234567890");
  });

  it.each([
    ["letters", "44abc567890"],
    ["too short for its country code", "4412"],
    ["too long for its country code", "4412345678901234"],
  ])("rejects a userName with %s as 400 invalidValue", async (_why, userName) => {
    const { scim } = await connectedTenant();
    const res = await scim("POST", "/Users", entraUser(userName));
    expect(res.status, res.text).toBe(400);
    expect(res.body.scimType).toBe("invalidValue");
    expect(res.body.detail).not.toContain(userName);
  });

  it("rejects a PATCH that turns userName into a non-number, leaving the user unchanged", async () => {
    const { scim } = await connectedTenant();
    const created = await scim("POST", "/Users", entraUser("11234567890"));
    const res = await scim("PATCH", `/Users/${created.body.id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "userName", value: "ann@contoso.example" }],
    });
    expect(res.status, res.text).toBe(400);
    expect((await scim("GET", `/Users/${created.body.id}`)).body.userName).toBe("11234567890");
  });

  it("does not re-judge an unchanged userName on PATCH, and re-derives the number when userName changes", async () => {
    const { scim, tenantId } = await connectedTenant();
    const created = await scim("POST", "/Users", entraUser("11234567890"));
    // A number accepted before a numbering-plan update that would now refuse it: the stored user must stay
    // patchable, because Entra's PATCHes of other attributes carry no new userName.
    await testD1.prepare("UPDATE users SET user_name = ?1, resource = json_set(resource, '$.userName', ?1) WHERE tenant_id = ?2 AND id = ?3").bind("4412", tenantId, created.body.id).run();
    const renamed = (givenName: string) => ({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "name.givenName", value: givenName }],
    });
    const kept = await scim("PATCH", `/Users/${created.body.id}`, renamed("Annie"));
    expect(kept.status, kept.text).toBe(200);
    expect((await scim("GET", "/Users?filter=userName+eq+%2211234567890%22")).body.totalResults).toBe(1);

    const moved = await scim("PATCH", `/Users/${created.body.id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "userName", value: "+44 1234 567890" }],
    });
    expect(moved.status, moved.text).toBe(200);
    expect((await scim("GET", "/Users?filter=userName+eq+%22441234567890%22")).body.totalResults).toBe(1);
    expect((await scim("GET", "/Users?filter=userName+eq+%2211234567890%22")).body.totalResults).toBe(0);
  });

  it("finds nothing, without an error, for a filter value that is not a number", async () => {
    const { scim } = await connectedTenant();
    await scim("POST", "/Users", entraUser("11234567890"));
    const res = await scim("GET", "/Users?filter=userName+eq+%22ann%40contoso.example%22");
    expect(res.status, res.text).toBe(200);
    expect(res.body.totalResults).toBe(0);
  });

  it("matches externalId case-sensitively", async () => {
    const { scim } = await connectedTenant();
    await scim("POST", "/Users", entraUser("11234567890", { externalId: "AbC-1" }));
    expect((await scim("GET", "/Users?filter=externalId+eq+%22AbC-1%22")).body.totalResults).toBe(1);
    expect((await scim("GET", "/Users?filter=externalId+eq+%22abc-1%22")).body.totalResults).toBe(0);
  });
});

describe("the company manager in displayName", () => {
  it("accepts a listed manager ignoring case and surrounding space, storing it as sent", async () => {
    const { scim } = await connectedTenant({ managers: ["Ann Manager", "Bob Boss"] });
    const res = await scim("POST", "/Users", entraUser("11234567890", { displayName: "  bob BOSS " }));
    expect(res.status, res.text).toBe(201);
    expect(res.body.displayName).toBe("  bob BOSS ");
  });

  it("rejects a manager that is not on the tenant's list with an actionable detail", async () => {
    const { scim } = await connectedTenant({ managers: ["Ann Manager", "Bob Boss"] });
    const res = await scim("POST", "/Users", entraUser("11234567890", { displayName: "Carol" }));
    expect(res.status, res.text).toBe(400);
    expect(res.body.scimType).toBe("invalidValue");
    expect(res.body.detail).toMatch(/account manager/);
  });

  it("defaults a missing displayName to the only manager", async () => {
    const { scim } = await connectedTenant({ managers: ["Ann Manager"] });
    const body = entraUser("11234567890");
    delete (body as Record<string, unknown>).displayName;
    expect((await scim("POST", "/Users", body)).status).toBe(201);
  });

  it("requires displayName when the tenant has several managers", async () => {
    const { scim } = await connectedTenant({ managers: ["Ann Manager", "Bob Boss"] });
    const body = entraUser("11234567890");
    delete (body as Record<string, unknown>).displayName;
    const res = await scim("POST", "/Users", body);
    expect(res.status, res.text).toBe(400);
    expect(res.body.detail).toMatch(/displayName/);
  });

  it("accepts any name when the tenant's record lists no managers", async () => {
    const { scim } = await connectedTenant({ managers: undefined });
    expect((await scim("POST", "/Users", entraUser("11234567890", { displayName: "Whoever" }))).status).toBe(201);
  });

  it("moves a user to another manager when displayName changes", async () => {
    const { scim } = await connectedTenant({ managers: ["Ann Manager", "Bob Boss"] });
    const created = await scim("POST", "/Users", entraUser("11234567890"));
    const res = await scim("PATCH", `/Users/${created.body.id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "displayName", value: "Bob Boss" }],
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.displayName).toBe("Bob Boss");
  });
});
