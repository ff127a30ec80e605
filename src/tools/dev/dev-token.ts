// Signs a token shaped like the one Entra's provisioning service sends, with a key we hold: the committed
// development key for `npm run token`, or a throwaway key in tests. Only a Worker configured to trust that
// key (TRUSTED_DEV_JWKS, local development only) accepts the result. jose only, so it runs under Node and
// in workerd; the caller supplies the private JWK.
import { SignJWT, importJWK } from "jose";
import type { JWK } from "jose";
import { ENTRA_PROVISIONING_APP_ID, NON_GALLERY_AUDIENCE, REQUIRED_ALG, entraIssuer } from "../../auth/entra-token.ts";

export { NON_GALLERY_AUDIENCE };

export const DEV_KID = "telemessage-dev-1";
/** Stands in for the object id of the provisioning service principal in the customer's tenant. */
export const DEV_SERVICE_PRINCIPAL_ID = "d0d0d0d0-0000-4000-8000-000000000001";
export const DEFAULT_EXPIRES_IN_SECONDS = 3600;

export interface DevTokenOptions {
  /** A private RSA JWK; its `kid` (else DEV_KID) goes into the header. */
  jwk: JWK;
  tenantId: string;
  /** Milliseconds since the epoch; defaults to the wall clock. */
  now?: () => number;
  expiresInSeconds?: number;
  audience?: string;
}

export async function signDevToken(opts: DevTokenOptions): Promise<string> {
  const tenantId = opts.tenantId.toLowerCase();
  const issuedAt = Math.floor((opts.now ?? Date.now)() / 1000);
  const key = await importJWK(opts.jwk, REQUIRED_ALG);
  // The claims a real provisioning token carries (v1 app-only token), so the Worker sees no difference.
  return new SignJWT({
    aud: opts.audience ?? NON_GALLERY_AUDIENCE,
    iss: entraIssuer(tenantId),
    iat: issuedAt,
    nbf: issuedAt,
    exp: issuedAt + (opts.expiresInSeconds ?? DEFAULT_EXPIRES_IN_SECONDS),
    appid: ENTRA_PROVISIONING_APP_ID,
    appidacr: "2",
    idp: entraIssuer(tenantId),
    oid: DEV_SERVICE_PRINCIPAL_ID,
    sub: DEV_SERVICE_PRINCIPAL_ID,
    tid: tenantId,
    ver: "1.0",
  })
    .setProtectedHeader({ alg: REQUIRED_ALG, typ: "JWT", kid: opts.jwk.kid ?? DEV_KID })
    .sign(key);
}
