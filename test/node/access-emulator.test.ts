// The local stand-in for Cloudflare Access that `npm start` puts in front of the console
// (src/tools/dev/access-emulator.ts): it must behave like Access towards the Worker (a token for the signed-in
// e-mail on every request, whatever the browser sent, the console's Host) and never become an open redirect.
// Against a real upstream server on Node that echoes what reached it.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, jwtVerify, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCESS_COOKIE, LOGIN_PATH, startAccessEmulator } from "../../src/tools/dev/access-emulator.ts";
import { accessIssuer } from "../../src/auth/access-token.ts";

const TEAM = "telemessage-test.cloudflareaccess.com";
const AUD = "a".repeat(64);
const EMAIL = "ann.am@telemessage.example";

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

describe("the local stand-in for Cloudflare Access", () => {
  let upstream: Server;
  let emulator: Server;
  let base: string;
  let consolePort: number;
  let publicKey: CryptoKey;

  beforeAll(async () => {
    // What reached the Worker: method, path, headers.
    upstream = createServer((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }));
    });
    const upstreamPort = await listen(upstream);
    const pair = await generateKeyPair("RS256", { extractable: true });
    publicKey = pair.publicKey;
    const jwk: JWK = { ...(await exportJWK(pair.privateKey)), kid: "test-access-1" };
    // A free port first: the emulator names it in the Host it passes on.
    const probe = createServer();
    consolePort = await listen(probe);
    await new Promise((r) => probe.close(r));
    emulator = await startAccessEmulator({ port: consolePort, workerOrigin: `http://127.0.0.1:${upstreamPort}`, teamDomain: TEAM, audience: AUD, jwk });
    base = `http://127.0.0.1:${consolePort}`;
  });

  afterAll(() => {
    emulator?.close();
    upstream?.close();
  });

  const signIn = async (form: Record<string, string>) =>
    fetch(`${base}${LOGIN_PATH}`, { method: "POST", body: new URLSearchParams(form), redirect: "manual" });

  it("sends a request without a session to its sign-in page, remembering where it was going", async () => {
    const res = await fetch(`${base}/tenants/new?x=1`, { redirect: "manual" });
    expect(res.status, await res.text()).toBe(302);
    expect(res.headers.get("location")).toBe(`${LOGIN_PATH}?redirect_url=${encodeURIComponent("/tenants/new?x=1")}`);
  });

  it("passes each request on with a token for the signed-in e-mail instead of whatever the browser sent, and the console's Host", async () => {
    const signedIn = await signIn({ email: EMAIL, redirect_url: "/tenants/new" });
    expect(signedIn.status).toBe(302);
    expect(signedIn.headers.get("location")).toBe("/tenants/new");
    const session = /^CF_Authorization=([^;]+)/.exec(signedIn.headers.get("set-cookie") ?? "")?.[1];
    expect(session, signedIn.headers.get("set-cookie") ?? "").toBeTruthy();

    const res = await fetch(`${base}/tenants`, { headers: { cookie: `${ACCESS_COOKIE}=${session}`, "cf-access-jwt-assertion": "forged-by-the-browser" } });
    const seen = (await res.json()) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe("/tenants");
    expect(seen.headers.host).toBe(`localhost:${consolePort}`);
    expect(seen.headers["cf-access-jwt-assertion"]).toBe(session);
    const { payload } = await jwtVerify(seen.headers["cf-access-jwt-assertion"] ?? "", publicKey, { issuer: accessIssuer(TEAM), audience: AUD });
    expect(payload.email).toBe(EMAIL);
  });

  it.each(["//evil.example/", "https://evil.example/", "javascript:alert(1)"])("never sends the browser off the console after sign-in (redirect_url %s goes to /)", async (target) => {
    const res = await signIn({ email: EMAIL, redirect_url: target });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/");
  });

  it("refuses a sign-in without an e-mail address, and sets no session", async () => {
    const res = await signIn({ email: "not an address", redirect_url: "/" });
    expect(res.status).toBe(400);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await res.text()).toContain("Enter an e-mail address.");
  });
});
