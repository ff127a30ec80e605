// What the account managers' commands write, the Worker reads: the CLI's command layer (the same code
// `npm run tenants` runs) writes to the Worker's real KV binding, and the gateway then answers accordingly.
// KV itself takes up to about a minute to propagate a change; the Worker's own caching must not add to that
// noticeably, so the gateway's clock is moved on only ten seconds before each check that follows a change.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { testDeps } from "../support/deps.ts";
import { addTenant, disableTenant, enableTenant, issueToken, removeTenant, revokeToken } from "../../src/tenants/commands.ts";
import { commandDeps } from "../support/ledger.ts";
import { BASE, devToken, newTenantId } from "../support/gateway.ts";

/** The longest the Worker may keep serving an allow-list answer it read before a change. */
const WORKER_CACHE_BOUND_MS = 10_000;

function gateway() {
  let clock = Date.now();
  const app = createApp(testDeps({ now: () => new Date(clock) }));
  const get = async (token: string) => {
    const ctx = createExecutionContext();
    const res = await app.request(`${BASE}/Users?filter=userName+eq+%2211234567890%22`, { headers: { Authorization: `Bearer ${token}` } }, env, ctx);
    await waitOnExecutionContext(ctx);
    return { status: res.status, text: await res.text() };
  };
  return { get, afterPropagation: () => (clock += WORKER_CACHE_BOUND_MS) };
}

const deps = () => commandDeps();

describe("allow-list commands against the Worker", () => {
  it("a tenant added by the commands is let in; disabled, it gets 403; enabled, it is let in again; removed, 403", async () => {
    const tenantId = newTenantId();
    const token = await devToken(tenantId);
    const { get, afterPropagation } = gateway();

    await addTenant(deps(), tenantId.toUpperCase(), { accountId: "TM-1001", name: "Contoso", managers: ["Ann Manager"] });
    let res = await get(token);
    expect(res.status, res.text).toBe(200);

    await disableTenant(deps(), tenantId);
    afterPropagation();
    res = await get(token);
    expect(res.status, res.text).toBe(403);

    await enableTenant(deps(), tenantId);
    afterPropagation();
    expect((await get(token)).status).toBe(200);

    await removeTenant(deps(), tenantId);
    afterPropagation();
    expect((await get(token)).status).toBe(403);
  });

  it("an issued secret token is accepted as the bearer token, and refused once revoked", async () => {
    const tenantId = newTenantId();
    const { get, afterPropagation } = gateway();
    await addTenant(deps(), tenantId, { accountId: "TM-1001", name: "Contoso", managers: ["Ann Manager"] });
    const { token } = await issueToken(deps(), tenantId);
    const res = await get(token as string);
    expect(res.status, res.text).toBe(200);
    expect((await get(token as string)).status).toBe(200);

    // A new token replaces the old one: the isolate's memory of the old match no longer counts.
    const { token: next } = await issueToken(deps(), tenantId, { force: true });
    afterPropagation();
    expect((await get(token as string)).status).toBe(401);
    expect((await get(next as string)).status).toBe(200);

    await revokeToken(deps(), tenantId);
    afterPropagation();
    expect((await get(token as string)).status).toBe(401);
    expect((await get(next as string)).status).toBe(401);
  });
});
