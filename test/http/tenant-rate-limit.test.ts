// Per-tenant rate limiting: over the limit, 429 with Retry-After and a SCIM body; counted per tenant.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { allowTenant, BASE, devToken, newTenantId } from "../support/gateway.ts";

describe("per-tenant rate limit", () => {
  it("answers 429 with Retry-After past the limit, for that tenant only", async () => {
    const lines: string[] = [];
    const app = createApp({ log: (line) => lines.push(line) });
    const limited = { ...env, TENANT_RATE_LIMIT: env.TEST_LOW_RATE_LIMIT };
    const get = async (tenantId: string) => {
      const ctx = createExecutionContext();
      const res = await app.request(`${BASE}/Users`, { headers: { Authorization: `Bearer ${await devToken(tenantId)}` } }, limited, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    const busy = newTenantId();
    const quiet = newTenantId();
    await allowTenant(busy);
    await allowTenant(quiet);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await get(busy)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const refused = await get(busy);
    expect(refused.headers.get("retry-after")).toBe("10");
    expect(await refused.json()).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "429" });
    expect((await get(quiet)).status).toBe(200);
    expect(lines.filter((l) => JSON.parse(l).rateLimited === true)).toHaveLength(3);
  });

});
