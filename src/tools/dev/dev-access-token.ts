// Signs a token shaped like the one Cloudflare Access puts in Cf-Access-Jwt-Assertion, with a key we hold:
// the committed development Access key for `npm start`'s stand-in for Access (access-emulator.ts), or a
// throwaway key in tests. Only a Worker configured to trust that key (ACCESS_DEV_JWKS, local development
// only) accepts the result. jose only, so it runs under Node and in workerd.
import { SignJWT, importJWK, type JWK } from "jose";
import { ACCESS_ALG, accessIssuer } from "../../auth/access-token.ts";

export const DEV_ACCESS_KID = "telemessage-dev-access-1";
/** Access's own sessions last hours; the stand-in signs for eight. */
export const DEV_ACCESS_LIFETIME_SECONDS = 8 * 60 * 60;

export type DevAccessTokenOptions = {
  jwk: JWK;
  teamDomain: string;
  audience: string;
  email: string;
  /** Milliseconds since the epoch; defaults to the wall clock. */
  now?: () => number;
  expiresInSeconds?: number;
};

export async function signDevAccessToken(opts: DevAccessTokenOptions): Promise<string> {
  const issuedAt = Math.floor((opts.now ?? Date.now)() / 1000);
  const key = await importJWK(opts.jwk, ACCESS_ALG);
  // The claims Access puts in an application token (type "app"), so the Worker sees no difference.
  return new SignJWT({
    aud: [opts.audience],
    email: opts.email,
    iss: accessIssuer(opts.teamDomain),
    sub: "00000000-0000-4000-8000-00000000acce",
    type: "app",
    identity_nonce: "dev",
    country: "GB",
    iat: issuedAt,
    nbf: issuedAt,
    exp: issuedAt + (opts.expiresInSeconds ?? DEV_ACCESS_LIFETIME_SECONDS),
  })
    .setProtectedHeader({ alg: ACCESS_ALG, kid: opts.jwk.kid ?? DEV_ACCESS_KID })
    .sign(key);
}
