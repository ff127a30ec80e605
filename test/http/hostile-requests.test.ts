// Hostile requests through the whole Worker: any body, filter or path yields a SCIM 4xx or a correct
// success, never a 5xx, and never touches another user.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { call, connectedTenant, entraUser } from "../support/gateway.ts";
import { hostileJson, hostileString, mutatedEntraPatch, mutatedEntraUser } from "../support/arbitraries.ts";

const RUNS = 60;

async function scene() {
  const tenant = await connectedTenant({ managers: undefined });
  const bystander = await tenant.scim("POST", "/Users", entraUser("441234567890"));
  const target = await tenant.scim("POST", "/Users", entraUser("11234567890"));
  const snapshot = async () => (await tenant.scim("GET", `/Users/${bystander.body.id}`)).body;
  return { ...tenant, bystanderBefore: await snapshot(), snapshot, targetId: target.body.id as string };
}

const isScimAnswer = (res: { status: number; body: any; text: string }) => {
  expect(res.status, res.text).toBeLessThan(500);
  if (res.status >= 400) expect(res.body?.schemas, res.text).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
};

describe("hostile requests through the Worker", () => {
  it("answers random and mutated POST bodies with 201 or a SCIM 4xx", async () => {
    const s = await scene();
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileJson(), mutatedEntraUser()), async (body) => {
        isScimAnswer(await s.scim("POST", "/Users", body));
      }),
      { numRuns: RUNS },
    );
    expect(await s.snapshot()).toEqual(s.bystanderBefore);
  });

  it("answers random and mutated PATCH bodies with 200 or a SCIM 4xx, leaving other users alone", async () => {
    const s = await scene();
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileJson(), mutatedEntraPatch()), async (body) => {
        isScimAnswer(await s.scim("PATCH", `/Users/${s.targetId}`, body));
      }),
      { numRuns: RUNS },
    );
    expect(await s.snapshot()).toEqual(s.bystanderBefore);
  });

  it("answers random filters, ids and paging parameters with 200 or a SCIM 4xx", async () => {
    const s = await scene();
    await fc.assert(
      fc.asyncProperty(hostileString(), hostileString(), async (a, b) => {
        // Lone surrogates cannot be percent-encoded as UTF-8; send them as the invalid bytes of one instead.
        const q = (v: string) => encodeURIComponent(v.slice(0, 1500).toWellFormed()).replace(/%EF%BF%BD/g, "%ED%BF%BF");
        isScimAnswer(await s.scim("GET", `/Users?filter=${q(a)}&startIndex=${q(b)}&count=${q(a)}`));
        isScimAnswer(await s.scim("GET", `/Users/${q(a)}?attributes=${q(b)}`));
      }),
      { numRuns: RUNS },
    );
  });

  it("answers malformed percent-encoding in the query and path with 200 or a SCIM 4xx", async () => {
    const s = await scene();
    for (const bad of ["%", "%E0%A4%A", "%ED%BF%BF", "%00", "%C0%AF", "%FF%FE"]) {
      isScimAnswer(await s.scim("GET", `/Users?filter=userName+eq+%22${bad}%22`));
      isScimAnswer(await s.scim("GET", `/Users/${bad}`));
    }
  });

  it("answers raw bytes that are not JSON with 400 invalidSyntax", async () => {
    const s = await scene();
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", minLength: 1 }), async (raw) => {
        let json = true;
        try {
          JSON.parse(raw);
        } catch {
          json = false;
        }
        fc.pre(!json);
        const res = await call("POST", "/Users", { token: s.token, rawBody: raw, headers: { "Content-Type": "application/scim+json" } });
        isScimAnswer(res);
        expect(res.body.scimType, res.text).toBe("invalidSyntax");
      }),
      { numRuns: 20 },
    );
  });

  it("refuses a very long URL and a very long header value with a SCIM 4xx", async () => {
    const s = await scene();
    isScimAnswer(await s.scim("GET", `/Users?filter=${"userName eq %221%22 and ".repeat(2000)}`));
    isScimAnswer(await s.scim("GET", `/Users/${"a".repeat(16_000)}`));
    isScimAnswer(await s.scim("GET", "/Users", undefined, { Authorization: `Bearer ${"e".repeat(60_000)}` }));
  });

  it("keeps the first value of a duplicated JSON key as JSON.parse does, without error", async () => {
    const { token } = await connectedTenant();
    const res = await call("POST", "/Users", {
      token,
      rawBody: '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"0000","userName":"11234567890"}',
      headers: { "Content-Type": "application/scim+json" },
    });
    isScimAnswer(res);
    expect(res.body.userName).toBe("11234567890");
  });
});
