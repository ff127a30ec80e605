// "Microsoft": a signing key the Worker does not trust by configuration, published as a tenant's JWKS
// through an injected fetch that records what was asked. Nothing leaves the machine.
import { exportJWK, generateKeyPair, type JWK } from "jose";

export async function microsoft(kid = "ms-key-1") {
  const pair = await generateKeyPair("RS256", { extractable: true });
  const privateJwk: JWK = { ...(await exportJWK(pair.privateKey)), kid };
  const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid, use: "sig" };
  const fetched: string[] = [];
  const fetch = (async (input: RequestInfo | URL) => {
    fetched.push(String(input));
    return Response.json({ keys: [publicJwk] });
  }) as typeof globalThis.fetch;
  return { privateJwk, fetch, fetched };
}
