// RFC 7644 §3.12: every error is a SCIM error body with a string status, in application/scim+json.
import { describe, expect, it } from "vitest";
import { call, connectedTenant, entraUser } from "../support/gateway.ts";

const expectScimError = (res: { status: number; body: any; text: string; headers: Headers }, status: number, scimType?: string) => {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get("content-type"), res.text).toMatch(/^application\/scim\+json/);
  expect(res.body.schemas, res.text).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
  expect(res.body.status, res.text).toBe(String(status));
  if (scimType) expect(res.body.scimType, res.text).toBe(scimType);
  expect(typeof res.body.detail, res.text).toBe("string");
};

describe("protocol errors", () => {
  it("answers an unknown route with a 404 SCIM error, not HTML", async () => {
    expectScimError(await call("GET", "/Nope"), 404);
    expectScimError(await call("GET", "https://gateway.test/"), 404);
  });

  it("answers a wrong method on a known route with 405 and an Allow header", async () => {
    const { scim } = await connectedTenant();
    const res = await scim("DELETE", "/ServiceProviderConfig");
    expectScimError(res, 405);
    expect(res.headers.get("allow")).toContain("GET");
  });

  it("refuses a body over 64 KiB with 413", async () => {
    const { scim } = await connectedTenant();
    const res = await scim("POST", "/Users", entraUser("11234567890", { title: "x".repeat(70 * 1024) }));
    expectScimError(res, 413);
  });

  it("refuses malformed JSON with 400 invalidSyntax", async () => {
    const { token } = await connectedTenant();
    const res = await call("POST", "/Users", { token, rawBody: '{"userName": ', headers: { "Content-Type": "application/scim+json" } });
    expectScimError(res, 400, "invalidSyntax");
  });

  it("refuses a body that is not JSON by content type with 415", async () => {
    const { token } = await connectedTenant();
    const res = await call("POST", "/Users", { token, rawBody: "userName=1", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    expectScimError(res, 415);
  });

  it("accepts application/json as well as application/scim+json", async () => {
    const { scim } = await connectedTenant();
    const res = await scim("POST", "/Users", entraUser("11234567890"), { "Content-Type": "application/json; charset=utf-8" });
    expect(res.status, res.text).toBe(201);
  });

  it("answers a body that is a JSON array with 400 invalidValue", async () => {
    const { scim } = await connectedTenant();
    expectScimError(await scim("POST", "/Users", [entraUser("11234567890")]), 400, "invalidValue");
  });

  it("tolerates trailing slashes and ignores unknown query parameters", async () => {
    const { scim } = await connectedTenant();
    expect((await scim("GET", "/Users/?aadOptscim062020")).status).toBe(200);
    expect((await scim("GET", "/ServiceProviderConfig/")).status).toBe(200);
  });

  it("returns an X-Request-Id on every response, errors included", async () => {
    const res = await call("GET", "/Users");
    expect(res.headers.get("x-request-id") ?? "").toMatch(/.{8,}/);
  });

  it("rejects an unsupported filter with 400 invalidFilter", async () => {
    const { scim } = await connectedTenant();
    expectScimError(await scim("GET", "/Users?filter=userName+co+%2212%22"), 400, "invalidFilter");
    expectScimError(await scim("GET", "/Users?filter=title+eq+%22x%22"), 400, "invalidFilter");
    expectScimError(await scim("GET", "/Users?filter=userName+eq"), 400, "invalidFilter");
  });

  it("rejects a startIndex or count that is not a number with 400 invalidValue", async () => {
    const { scim } = await connectedTenant();
    expectScimError(await scim("GET", "/Users?count=ten"), 400, "invalidValue");
  });

  it("says that Bulk, Me and writes to Groups are not offered", async () => {
    const { scim } = await connectedTenant();
    expectScimError(await scim("POST", "/Bulk", { schemas: [] }), 501);
    expectScimError(await scim("GET", "/Me"), 501);
    const group = await scim("POST", "/Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Sales" });
    expectScimError(group, 501);
    expect(group.body.detail).toMatch(/Groups/);
  });

  it("answers an unknown user id with 404", async () => {
    const { scim } = await connectedTenant();
    expectScimError(await scim("GET", "/Users/not-a-user"), 404);
    expectScimError(await scim("PATCH", "/Users/not-a-user", { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "Replace", path: "active", value: false }] }), 404);
  });

  it("rejects a PATCH body that is not a PatchOp with 400", async () => {
    const { scim } = await connectedTenant();
    const created = await scim("POST", "/Users", entraUser("11234567890"));
    const res = await scim("PATCH", `/Users/${created.body.id}`, { Operations: "nope" });
    expect(res.status, res.text).toBe(400);
    expect(res.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
  });
});
