// Cross-site request forgery, refused twice over on every form the console accepts (issue 14 §3). Cloudflare
// Access keeps a person signed in with a cookie (CF_Authorization) that the browser sends with any request to
// the console's host, including one a hostile page makes it submit; so a state-changing request must prove
// it came from the console's own pages:
//  1. hono/csrf: a form POST must come from the console's own origin (Origin, or Sec-Fetch-Site).
//  2. A double-submit token: each browser gets a random token in a cookie (__Host- prefixed over https, so a
//     sibling subdomain cannot plant one; SameSite=Strict, HttpOnly) and every form carries it in a hidden
//     field; a POST whose field does not match its cookie is refused. A hostile page can neither read the
//     cookie nor set it.
import { getCookie, setCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import { createMiddleware } from "hono/factory";
import type { Context } from "hono";
import type { ConsoleEnv } from "../app-env.ts";

const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const SAFE_METHODS = new Set(["GET", "HEAD"]);

/** The cookie's name: __Host- requires https, which the console has everywhere but locally. */
export const csrfCookieName = (url: string): string => (new URL(url).protocol === "https:" ? "__Host-tm-console-csrf" : "tm-console-csrf");

export type CsrfOptions = {
  /** Fills the token's random bytes; Web Crypto unless injected. */
  random?: (bytes: Uint8Array) => Uint8Array;
};

export function csrfProtection(options: CsrfOptions = {}) {
  const random = options.random ?? ((bytes: Uint8Array) => crypto.getRandomValues(bytes));
  const sameOrigin = csrf();
  const token = createMiddleware<ConsoleEnv>(async (c, next) => {
    const name = csrfCookieName(c.req.url);
    const cookie = getCookie(c, name);
    const known = cookie !== undefined && TOKEN_PATTERN.test(cookie) ? cookie : undefined;
    if (!SAFE_METHODS.has(c.req.method)) {
      const field = await formField(c, "csrf");
      if (!known || field === undefined || !(await sameText(field, known))) {
        return c.text("Forbidden: this form is out of date or did not come from the console. Reload the page and submit it again.", 403);
      }
    }
    const value = known ?? base64url(random(new Uint8Array(TOKEN_BYTES)));
    c.set("csrfToken", value);
    if (!known) setCookie(c, name, value, { path: "/", httpOnly: true, sameSite: "Strict", secure: name.startsWith("__Host-") });
    await next();
  });
  return [sameOrigin, token] as const;
}

async function formField(c: Context<ConsoleEnv>, name: string): Promise<string | undefined> {
  try {
    const body = await c.req.parseBody();
    const value = body[name];
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Equal text, compared in constant time (SHA-256 of both, so lengths need not match). */
async function sameText(a: string, b: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [x, y] = await Promise.all([crypto.subtle.digest("SHA-256", encoder.encode(a)), crypto.subtle.digest("SHA-256", encoder.encode(b))]);
  return crypto.subtle.timingSafeEqual(x, y);
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
