// Attacks on the per-manager Tenant URLs of issue 12 (/scim/v2/managers/<key>) and on the token rules of
// issue 11 §4-5, by a tenant holding its own valid tokens: another tenant's keys, spellings of a key,
// flip-flopping two apps, a secret token on someone else's manager URL, auth modes switched back and forth,
// and the oldest token the lifetime rule still lets in. Each through the Worker, with the victim checked after.
import { env } from "cloudflare:test";
import type { JWK } from "jose";
import { describe, expect, it } from "vitest";
import devKey from "../../src/tools/dev/dev-signing-key.json";
import { signDevToken } from "../../src/tools/dev/dev-token.ts";
import { createApp } from "../../src/app.ts";
import { mintSecretToken, sha256Hex } from "../../src/tenants/secret-token.ts";
import { tenantKey, type TenantRecord } from "../../src/tenants/record.ts";
import { BASE, allowTenant, call, entraUser, newTenantId, sendThrough } from "../support/gateway.ts";
import { managedTenant, patchOf, storedUser } from "../support/managers.ts";
import { testDeps } from "../support/deps.ts";

const ATTACKER_MANAGERS: TenantRecord["managers"] = [
  { key: "ann", name: "Ann Manager" },
  { key: "bob", name: "Bob Boss" },
];
const VICTIM_MANAGERS: TenantRecord["managers"] = [
  { key: "ann", name: "Ann Other" },
  { key: "carl", name: "Carl Chief" },
];

/** A tenant with a secret token as well as Entra tokens; `authMode` as given. */
async function tenantWithSecret(record: Partial<TenantRecord>) {
  const tenantId = newTenantId();
  const secret = mintSecretToken(tenantId);
  await allowTenant(tenantId, { ...record, secretTokenSha256: await sha256Hex(secret) });
  return { tenantId, secret };
}

describe("manager Tenant URLs under a hostile tenant", () => {
  it("answers 404 to a tenant's token on a manager key only another tenant has, and to every method on the other tenant's user there", async () => {
    const attacker = await managedTenant({ managers: ATTACKER_MANAGERS });
    const victim = await managedTenant({ managers: VICTIM_MANAGERS });
    const victimUser = await victim.send("carl", "POST", "/Users", entraUser("441234567890", { displayName: "Carl Chief" }));
    expect(victimUser.status, victimUser.text).toBe(201);
    for (const [method, path, body] of [
      ["GET", "/Users", undefined],
      ["POST", "/Users", entraUser("11234567890", { displayName: "Carl Chief" })],
      ["GET", `/Users/${victimUser.body.id}`, undefined],
      ["PATCH", `/Users/${victimUser.body.id}`, patchOf({ op: "Replace", path: "active", value: "False" })],
      ["DELETE", `/Users/${victimUser.body.id}`, undefined],
    ] as const) {
      const res = await attacker.send("carl", method, path, body);
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(404);
    }
    expect(await storedUser(victim.tenantId, victimUser.body.id)).toMatchObject({ manager: "Carl Chief", active: 1, version: 1 });
  });

  it("keeps two tenants that use the same key apart: each token reaches only its own users under /managers/ann", async () => {
    const attacker = await managedTenant({ managers: ATTACKER_MANAGERS });
    const victim = await managedTenant({ managers: VICTIM_MANAGERS });
    const victimUser = await victim.send("ann", "POST", "/Users", entraUser("441234567890", { displayName: undefined }));
    expect([victimUser.status, victimUser.body.displayName], victimUser.text).toEqual([201, undefined]);
    const lookup = await attacker.send("ann", "GET", "/Users?filter=userName+eq+%22441234567890%22");
    expect(lookup.body.totalResults, lookup.text).toBe(0);
    for (const method of ["GET", "PUT", "PATCH", "DELETE"]) {
      const body = method === "PUT" ? entraUser("441234567890") : method === "PATCH" ? patchOf({ op: "Replace", path: "displayName", value: "Ann Manager" }) : undefined;
      const res = await attacker.send("ann", method, `/Users/${victimUser.body.id}`, body);
      expect(res.status, `${method}: ${res.text}`).toBe(404);
    }
    // The same number is the attacker's own, separate user.
    expect((await attacker.send("ann", "POST", "/Users", entraUser("441234567890", { displayName: undefined }))).status).toBe(201);
    expect(await storedUser(victim.tenantId, victimUser.body.id)).toMatchObject({ manager: "Ann Other", active: 1, version: 1 });
  });

  it.each([
    ["the key in capitals", "ANN", 200],
    ["a percent-encoded letter", "%61nn", 200],
    ["a percent-encoded letter in another key", "b%6Fb", 200],
    ["another key after a dot-dot segment (URL normalisation: the same tenant's bob)", "ann/../bob", 200],
    ["%2e%2e, which URLs read as a dot-dot segment (the shared URL, same tenant)", "%2e%2e", 200],
    ["an encoded slash and dot-dot", "ann%2F..%2Fbob", 404],
    ["a fullwidth letter", "ａnn", 404],
    ["a trailing dot", "ann.", 404],
    ["a key of 41 characters", "a".repeat(41), 404],
    ["a key that is another tenant's", "carl", 404],
    ["an encoded NUL", "ann%00", 404],
  ])("answers a manager URL with %s as the tenant's own URL or 404, never another tenant's", async (_what, key, status) => {
    const attacker = await managedTenant({ managers: ATTACKER_MANAGERS });
    const victim = await managedTenant({ managers: VICTIM_MANAGERS });
    expect((await victim.send("carl", "POST", "/Users", entraUser("441234567890", { displayName: "Carl Chief" }))).status).toBe(201);
    const res = await sendThrough(attacker.app, attacker.token, "GET", `/managers/${key}/Users?filter=userName+eq+%22441234567890%22`);
    const text = await res.text();
    expect(res.status, text).toBe(status);
    if (status === 200) expect(JSON.parse(text).totalResults, text).toBe(0);
  });

  it("answers the secret token of one tenant on a manager URL with its own record's managers only", async () => {
    const attacker = await tenantWithSecret({ managers: ATTACKER_MANAGERS, authMode: "secret-token" });
    const victim = await managedTenant({ managers: VICTIM_MANAGERS });
    expect((await victim.send("carl", "POST", "/Users", entraUser("441234567890", { displayName: "Carl Chief" }))).status).toBe(201);
    const other = await call("GET", `${BASE}/managers/carl/Users`, { token: attacker.secret });
    expect(other.status, other.text).toBe(404);
    const own = await call("GET", `${BASE}/managers/ann/Users?filter=userName+eq+%22441234567890%22`, { token: attacker.secret });
    expect([own.status, own.body.totalResults], own.text).toEqual([200, 0]);
  });

  it("records each claim when two apps of one tenant take a user back and forth 20 times, and another tenant is untouched", async () => {
    const attacker = await managedTenant({ managers: ATTACKER_MANAGERS });
    const victim = await managedTenant({ managers: VICTIM_MANAGERS });
    const victimUser = await victim.send("ann", "POST", "/Users", entraUser("11234567890", { displayName: "Ann Other" }));
    const created = await attacker.send("ann", "POST", "/Users", entraUser("11234567890"));
    let flips = 0;
    for (let i = 0; i < 20; i++) {
      const [key, name] = i % 2 ? ["ann", "Ann Manager"] : ["bob", "Bob Boss"];
      const res = await attacker.send(key, "PATCH", `/Users/${created.body.id}`, patchOf({ op: "Replace", path: "displayName", value: name }));
      expect(res.status, res.text).toBe(200);
      expect(res.log.managerClaimed, JSON.stringify(res.log)).toBe(true);
      if (res.log.managerFlip) flips++;
    }
    expect(flips).toBeGreaterThanOrEqual(18);
    expect(await storedUser(attacker.tenantId, created.body.id)).toMatchObject({ manager: "Ann Manager", version: 21 });
    expect(await storedUser(victim.tenantId, victimUser.body.id)).toMatchObject({ manager: "Ann Other", version: 1 });
  });
});

describe("tokens and auth modes under a hostile tenant", () => {
  it("accepts a token issued 23 h 59 min ago that is still valid (the lifetime cap is 24 h), and refuses one a second longer", async () => {
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const old = (lifetime: number) =>
      signDevToken({ jwk: devKey as JWK, tenantId, now: () => Date.now() - (lifetime - 60) * 1000, expiresInSeconds: lifetime });
    expect((await call("GET", "/Users", { token: await old(86_400) })).status).toBe(200);
    expect((await call("GET", "/Users", { token: await old(86_401) })).status).toBe(401);
  });

  it("follows a tenant's auth mode switched back and forth six times, each kind accepted exactly when the mode allows it, while another tenant is served", async () => {
    const app = createApp(testDeps(), { auth: { tenantCacheMs: 0 } });
    const { tenantId, secret } = await tenantWithSecret({});
    const entra = await signDevToken({ jwk: devKey as JWK, tenantId });
    const bystander = newTenantId();
    await allowTenant(bystander);
    const bystanderToken = await signDevToken({ jwk: devKey as JWK, tenantId: bystander });
    const status = async (token: string) => (await sendThrough(app, token, "GET", "/Users")).status;
    const record = JSON.parse((await env.TENANTS.get(tenantKey(tenantId))) ?? "{}") as TenantRecord;
    for (const mode of ["secret-token", "entra-token", "both", "secret-token", undefined, "entra-token"] as const) {
      await env.TENANTS.put(tenantKey(tenantId), JSON.stringify({ ...record, ...(mode ? { authMode: mode } : {}) }));
      const expected = [mode === "secret-token" ? 401 : 200, mode === "entra-token" ? 401 : 200];
      expect([await status(entra), await status(secret)], `mode ${mode}`).toEqual(expected);
      expect(await status(bystanderToken)).toBe(200);
    }
  });
});
