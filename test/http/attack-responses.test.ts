// Requests a hostile tenant shapes to get something other than a SCIM answer out of the Worker: odd methods
// and paths on the shared and manager URLs, odd media types and encodings, bodies that are not what the
// route expects. Every answer must be application/scim+json (or empty), below 500, with no HTML, stack trace,
// SQL or driver text, and the other tenant must still be served.
import { describe, expect, it } from "vitest";
import { call, connectedTenant, entraUser } from "../support/gateway.ts";

const LEAKS = /<html|<!doctype|\bat [\w.<>]+ \(|SQLITE|D1_|select |insert into|TypeError|RangeError|stack/i;

describe("every answer to a hostile request is a SCIM answer", () => {
  it("answers odd methods, paths, media types and bodies below 500 with SCIM JSON, never HTML, a stack or SQL", async () => {
    const attacker = await connectedTenant({ managers: [{ key: "ann", name: "Ann Manager" }] });
    const victim = await connectedTenant();
    const created = await attacker.scim("POST", "/Users", entraUser("11234567890"));
    const id = created.body.id as string;
    const json = "application/scim+json";
    const requests: [string, string, { rawBody?: string; headers?: Record<string, string> }][] = [
      ["HEAD", "/Users", {}],
      ["OPTIONS", "/Users", {}],
      ["TRACE", `/Users/${id}`, {}],
      ["PROPFIND", "/managers/ann/Users", {}],
      ["GET", "/managers/ann/managers/ann/Users", {}],
      ["GET", "/Users/", {}],
      ["GET", `/Users/${id}/`, {}],
      ["GET", `/Users/${id}/extra`, {}],
      ["GET", "/Users;jsessionid=1", {}],
      ["GET", "/Users/%ff%fe", {}],
      ["GET", "/Users?filter=%ff", {}],
      ["GET", "/Users?attributes=%E0%A4%A", {}],
      ["DELETE", "/Users", {}],
      ["PUT", "/Users", { rawBody: "{}", headers: { "Content-Type": json } }],
      ["POST", `/Users/${id}`, { rawBody: "{}", headers: { "Content-Type": json } }],
      ["POST", "/Users", { rawBody: JSON.stringify(entraUser("11234567891")), headers: { "Content-Type": "application/scim+json; charset=utf-16" } }],
      ["POST", "/Users", { rawBody: `\ufeff${JSON.stringify(entraUser("11234567892"))}`, headers: { "Content-Type": json } }],
      ["POST", "/Users", { rawBody: JSON.stringify(entraUser("11234567893")), headers: { "Content-Type": json, "Content-Encoding": "gzip" } }],
      ["POST", "/Users", { rawBody: JSON.stringify(entraUser("11234567894")), headers: { "Content-Type": "text/html" } }],
      ["POST", "/Users", { rawBody: "null", headers: { "Content-Type": json } }],
      ["POST", "/Users", { rawBody: "[]", headers: { "Content-Type": json } }],
      ["POST", "/Users", { rawBody: '"x"', headers: { "Content-Type": json } }],
      ["POST", "/Users", { rawBody: "1e999", headers: { "Content-Type": json } }],
      ["POST", "/Users", { rawBody: '{"userName":"11234567895","active":1e999,"name":{"givenName":[]}}', headers: { "Content-Type": json } }],
      ["PATCH", `/Users/${id}`, { rawBody: '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[null,1,"x",[]]}', headers: { "Content-Type": json } }],
      ["PATCH", `/Users/${id}`, { rawBody: '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":{},"value":1}]}', headers: { "Content-Type": json } }],
      ["PATCH", `/Users/${id}`, { rawBody: '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"userName","value":{"a":1}}]}', headers: { "Content-Type": json } }],
      ["PATCH", `/Users/${id}`, { rawBody: '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"emails","value":"x"}]}', headers: { "Content-Type": json } }],
      ["PATCH", `/Users/${id}`, { rawBody: '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"id","value":"x"}]}', headers: { "Content-Type": json } }],
      ["PATCH", `/Users/${id}`, { rawBody: '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"userName"}]}', headers: { "Content-Type": json } }],
      ["PATCH", `/Users/${id}`, { rawBody: '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","value":[1]}]}', headers: { "Content-Type": json } }],
      ["PATCH", `/Users/${id}`, { rawBody: '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"x[","value":1},{"op":"add","path":"]x","value":1}]}', headers: { "Content-Type": json } }],
    ];
    for (const [method, path, options] of requests) {
      const res = await call(method, path, { token: attacker.token, ...options });
      const where = `${method} ${path}: ${res.status} ${res.text.slice(0, 300)}`;
      expect(res.status, where).toBeLessThan(500);
      if (res.text) expect(res.headers.get("content-type"), where).toMatch(/^application\/scim\+json/);
      if (res.text) expect(res.body?.schemas, where).toBeDefined();
      expect(res.text, where).not.toMatch(LEAKS);
    }
    const read = await attacker.scim("GET", `/Users/${id}`);
    expect(read.status, read.text).toBe(200);
    const served = await victim.scim("POST", "/Users", entraUser("441234567890"));
    expect(served.status, served.text).toBe(201);
  });
});
