// Drives the account managers' console through the real Worker (exports.default.fetch) on its own host, as a
// browser behind Cloudflare Access would: an Access token signed with the development Access key (trusted by
// the local configuration only), the CSRF cookie the console sets, and its token in every form.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import type { JWK } from "jose";
import devAccessKey from "../../src/tools/dev/dev-access-key.json";
import { signDevAccessToken } from "../../src/tools/dev/dev-access-token.ts";

export const CONSOLE_ORIGIN = `http://${env.CONSOLE_HOST}`;
export const ACCESS_EMAIL = "ann.am@telemessage.example";

export const accessToken = (options: { email?: string; audience?: string; teamDomain?: string; expiresInSeconds?: number; jwk?: JWK; now?: () => number } = {}) =>
  signDevAccessToken({
    jwk: options.jwk ?? (devAccessKey as JWK),
    teamDomain: options.teamDomain ?? env.ACCESS_TEAM_DOMAIN,
    audience: options.audience ?? env.ACCESS_AUD,
    email: options.email ?? ACCESS_EMAIL,
    ...(options.expiresInSeconds !== undefined ? { expiresInSeconds: options.expiresInSeconds } : {}),
    ...(options.now ? { now: options.now } : {}),
  });

export type Page = { status: number; headers: Headers; text: string };

/** A signed-in browser: keeps the console's cookie, posts forms with the CSRF token the pages carry. */
export async function consoleSession(email = ACCESS_EMAIL) {
  const token = await accessToken({ email });
  let cookie = "";
  let csrf = "";
  const request = async (method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<Page> => {
    const init: RequestInit = {
      method,
      redirect: "manual",
      headers: {
        "Cf-Access-Jwt-Assertion": token,
        ...(cookie ? { Cookie: cookie } : {}),
        ...(form ? { "Content-Type": "application/x-www-form-urlencoded", Origin: CONSOLE_ORIGIN } : {}),
        ...headers,
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    };
    const res = await exports.default.fetch(new Request(`${CONSOLE_ORIGIN}${path}`, init));
    const set = res.headers.get("set-cookie");
    if (set) cookie = set.split(";")[0] as string;
    const text = await res.text();
    csrf = /name="csrf" value="([^"]+)"/.exec(text)?.[1] ?? csrf;
    return { status: res.status, headers: res.headers, text };
  };
  return {
    get: (path: string) => request("GET", path),
    /** Posts a form with the CSRF token of the last page read (as the browser would), unless it says otherwise. */
    post: (path: string, form: Record<string, string>, headers: Record<string, string> = {}) => request("POST", path, { csrf, ...form }, headers),
    raw: request,
  };
}

/** The version hidden in a tenant page's forms. */
export const versionOn = (page: Page): string => /name="version" value="(\d+)"/.exec(page.text)?.[1] ?? "";
