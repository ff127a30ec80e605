// A local stand-in for Cloudflare Access in front of the console, for `npm start` and the browser tests.
// Real Access signs a person in once (its login page), keeps the session in a CF_Authorization cookie, and on
// every request it lets through sets Cf-Access-Jwt-Assertion before passing it to the Worker, unchanged
// otherwise (the Host stays the console's). This does the same on http://localhost:<port>: its sign-in page
// asks only for an e-mail (nobody is authenticated: this is local development), the token is signed with
// the development Access key, which only a Worker whose ENVIRONMENT is "development" trusts. The Worker
// checks the token exactly as in production; nothing of this runs there.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { JWK } from "jose";
import { signDevAccessToken } from "./dev-access-token.ts";

export const ACCESS_COOKIE = "CF_Authorization";
export const ACCESS_HEADER = "cf-access-jwt-assertion";
export const LOGIN_PATH = "/cdn-cgi/access/login";
export const LOGOUT_PATH = "/cdn-cgi/access/logout";
export const DEFAULT_DEV_EMAIL = "dev.manager@telemessage.example";

export type AccessEmulatorOptions = {
  port: number;
  /** Where the Worker listens, e.g. http://127.0.0.1:8787. */
  workerOrigin: string;
  teamDomain: string;
  audience: string;
  jwk: JWK;
  defaultEmail?: string;
};

export function startAccessEmulator(options: AccessEmulatorOptions): Promise<Server> {
  const worker = new URL(options.workerOrigin);
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end("The gateway (wrangler dev) is not answering yet; reload in a few seconds.");
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === LOGIN_PATH) return login(req, res, url);
    if (url.pathname === LOGOUT_PATH) {
      res.writeHead(302, { location: LOGIN_PATH, "set-cookie": `${ACCESS_COOKIE}=; Path=/; Max-Age=0` });
      return void res.end();
    }
    const token = cookieOf(req, ACCESS_COOKIE);
    if (!token) {
      res.writeHead(302, { location: `${LOGIN_PATH}?redirect_url=${encodeURIComponent(url.pathname + url.search)}` });
      return void res.end();
    }
    // As Access does: whatever the client sent in the header is replaced by the session's token. The Host is
    // the console's as the Worker knows it (CONSOLE_HOST), also when the browser typed 127.0.0.1.
    const headers = { ...req.headers, host: `localhost:${options.port}`, [ACCESS_HEADER]: token };
    const upstream = httpRequest({ host: worker.hostname, port: worker.port, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end("The gateway (wrangler dev) is not answering yet; reload in a few seconds.");
    });
    req.pipe(upstream);
  }

  async function login(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const back = safeRedirect(url.searchParams.get("redirect_url"));
    if (req.method === "POST") {
      const form = new URLSearchParams(await bodyOf(req));
      const email = (form.get("email") ?? "").trim();
      if (!/^[^\s@<>"]+@[^\s@<>"]+$/.test(email)) return void loginPage(res, back, "Enter an e-mail address.");
      const token = await signDevAccessToken({ jwk: options.jwk, teamDomain: options.teamDomain, audience: options.audience, email });
      res.writeHead(302, { location: safeRedirect(form.get("redirect_url")), "set-cookie": `${ACCESS_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax` });
      return void res.end();
    }
    loginPage(res, back);
  }

  function loginPage(res: ServerResponse, back: string, error?: string): void {
    res.writeHead(error ? 400 : 200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in (local Access stand-in)</title>
<style>body{font:15px system-ui,sans-serif;max-width:32rem;margin:4rem auto}input,button{font:inherit;padding:.3rem}</style></head><body>
<h1>Sign in to the console</h1>
<p>Local development: a stand-in for Cloudflare Access. Any e-mail is accepted; it signs the changes you make.</p>
${error ? `<p style="color:#a11">${error}</p>` : ""}
<form method="post" action="${LOGIN_PATH}"><input type="hidden" name="redirect_url" value="${escapeHtml(back)}">
<label>E-mail <input type="email" name="email" value="${escapeHtml(options.defaultEmail ?? DEFAULT_DEV_EMAIL)}" size="32" required></label>
<button type="submit">Sign in</button></form></body></html>`);
  }

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve(server));
  });
}

/** Only a path of this origin: never an open redirect. */
function safeRedirect(value: string | null): string {
  return value && value.startsWith("/") && !value.startsWith("//") ? value : "/";
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name && rest.length) return rest.join("=") || undefined;
  }
  return undefined;
}

function bodyOf(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8").on("data", (chunk: string) => {
      body += chunk;
      if (body.length > 10_000) req.destroy();
    });
    req.on("end", () => resolve(body)).on("error", reject);
  });
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
