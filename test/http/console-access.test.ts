// Issue 14 §3: the console answers on its own host only, behind Cloudflare Access; SCIM never does. Every
// console request must carry a valid Cf-Access-Jwt-Assertion for the configured team domain and application
// audience, verified in the Worker (valid, expired, wrong audience, wrong team, missing, forged); an
// environment without Access configured has no console (404); the development Access key is trusted in
// local development only. Through the real Worker, with the local configuration of wrangler.toml.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { generateKeyPair, exportJWK, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import { createWorker } from "../../src/worker.ts";
import { runtimeInputs } from "../support/deps.ts";
import { ACCESS_EMAIL, CONSOLE_ORIGIN, accessToken } from "../support/console.ts";
import { BASE, connectedTenant } from "../support/gateway.ts";

const consoleGet = async (token: string | undefined, path = "/", origin = CONSOLE_ORIGIN) => {
  const res = await exports.default.fetch(new Request(`${origin}${path}`, { headers: token === undefined ? {} : { "Cf-Access-Jwt-Assertion": token } }));
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
};

/** A key pair like the development key, with the same kid: what a forger would make. */
async function forgedKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: "telemessage-dev-access-1" };
}

describe("who may open the console", () => {
  it("lets in a request with a valid Access token for the team and the console's audience, and names the person", async () => {
    const res = await consoleGet(await accessToken());
    expect(res.status, res.text).toBe(200);
    expect(res.type).toContain("text/html");
    expect(res.text).toContain(`Signed in as ${ACCESS_EMAIL}`);
  });

  it.each([
    ["no token at all", async () => undefined],
    ["an empty header", async () => ""],
    ["an expired token", () => accessToken({ now: () => Date.now() - 9 * 3600_000, expiresInSeconds: 3600 })],
    ["a token for another Access application (audience)", () => accessToken({ audience: "f".repeat(64) })],
    ["a token of another team", () => accessToken({ teamDomain: "someone-else.cloudflareaccess.com" })],
    ["a token signed by a key of our own making (forged)", async () => accessToken({ jwk: await forgedKey() })],
    ["an unsigned token (alg none)", async () => `${btoa(JSON.stringify({ alg: "none", kid: "telemessage-dev-access-1" })).replace(/=+$/, "")}.${btoa(JSON.stringify({ email: ACCESS_EMAIL, aud: [env.ACCESS_AUD], iss: `https://${env.ACCESS_TEAM_DOMAIN}`, exp: Math.floor(Date.now() / 1000) + 600 })).replace(/=+$/, "")}.`],
    ["garbage", async () => "not-a-jwt"],
  ])("refuses %s with 403 and shows nothing of the console", async (_what, make) => {
    const res = await consoleGet(await make());
    expect(res.status, res.text).toBe(403);
    expect(res.text).not.toContain("Tenants");
  });

  it("refuses a forged token on every console route, GET or POST", async () => {
    const forged = await accessToken({ jwk: await forgedKey() });
    for (const [method, path] of [["GET", "/tenants/new"], ["POST", "/tenants"], ["GET", "/tenants/72f988bf-86f1-41af-91ab-2d7cd011db47"]] as const) {
      const res = await exports.default.fetch(new Request(`${CONSOLE_ORIGIN}${path}`, { method, headers: { "Cf-Access-Jwt-Assertion": forged } }));
      expect(res.status, `${method} ${path}`).toBe(403);
    }
  });
});

describe("the console and SCIM never share a host", () => {
  it("serves SCIM without any Access token on the SCIM host, with the console configured", async () => {
    const { scim } = await connectedTenant();
    const res = await scim("GET", "/Users?filter=userName+eq+%2211234567890%22");
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/scim+json");
  });

  it.each(["/", "/tenants/new", "/tenants"])("never answers the console's %s on the SCIM host, even with a valid Access token", async (path) => {
    const res = await consoleGet(await accessToken(), path, new URL(BASE).origin);
    expect(res.status, res.text).toBe(404);
    expect(res.type).toContain("application/scim+json");
    expect(res.text).not.toContain("<html");
  });

  it("never serves SCIM on the console's host, even with a valid Entra token", async () => {
    const { token } = await connectedTenant();
    const res = await exports.default.fetch(
      new Request(`${CONSOLE_ORIGIN}/scim/v2/Users`, { headers: { Authorization: `Bearer ${token}`, "Cf-Access-Jwt-Assertion": await accessToken() } }),
    );
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("text/html");
  });
});

describe("where the console is configured", () => {
  // The team's certs, as Access publishes them: one key of the team's own, not the development key.
  const teamCerts = async () => {
    const { publicKey } = await generateKeyPair("RS256", { extractable: true });
    return JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: "team-key-1", alg: "RS256", use: "sig" }] });
  };
  const fetchThrough = async (bindings: Env, token: string) => {
    const certs = await teamCerts();
    const worker = createWorker({ ...runtimeInputs(), log: () => {}, fetch: async () => new Response(certs, { status: 200 }) });
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(`${CONSOLE_ORIGIN}/`, { headers: { "Cf-Access-Jwt-Assertion": token } }), bindings, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };

  it.each(["ACCESS_TEAM_DOMAIN", "ACCESS_AUD"] as const)("answers 404 on its host when %s is empty (no Access configuration, no console)", async (name) => {
    const res = await fetchThrough({ ...env, [name]: "" }, await accessToken());
    expect(res.status).toBe(404);
  });

  it("does not trust the development Access key in production's configuration, even with Access configured", async () => {
    const production = JSON.parse(env.PRODUCTION_VARS) as Record<string, string>;
    expect(production.ACCESS_DEV_JWKS).toBe("");
    // Production's vars, pointed at the local host and given a team and audience; the development key is still
    // in ACCESS_DEV_JWKS of the env, but ENVIRONMENT is "production".
    const bindings = { ...env, ...production, CONSOLE_HOST: env.CONSOLE_HOST, ACCESS_TEAM_DOMAIN: env.ACCESS_TEAM_DOMAIN, ACCESS_AUD: env.ACCESS_AUD, ACCESS_DEV_JWKS: env.ACCESS_DEV_JWKS } as Env;
    const res = await fetchThrough(bindings, await accessToken());
    expect(res.status).toBe(403);
    // The same request under the local configuration is let in: the environment alone decides.
    expect((await fetchThrough(env, await accessToken())).status).toBe(200);
  });
});
