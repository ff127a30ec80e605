// Secret-token mode: for tenants whose admin pastes a long random token into Entra's "Secret Token" field
// instead of relying on Entra's signed tokens. The token names its tenant, so the record can be found
// without a scan, and the record keeps only the token's SHA-256: a leaked allow-list grants nothing.
//
//   tm1.<tenant GUID, lower case>.<32 random bytes, base64url without padding: 43 characters>
//
// Web Crypto only, so the Worker and the CLI share it. It lives next to the record format that stores the
// hash (record.ts), so the allow-list commands mint and hash tokens without importing auth/ (auth/ imports
// tenants/, never the other way).
import { GUID_PATTERN, guidPatternSource } from "./record.ts";

const VERSION = "tm1";
const SECRET_BYTES = 32;
// 32 bytes are 43 base64url characters whose last one carries 4 bits, so its low 2 bits are zero.
const SECRET_TOKEN_PATTERN = new RegExp(`^tm1\\.(${guidPatternSource(false)})\\.[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$`);
const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;

export function mintSecretToken(
  tenantId: string,
  random: (bytes: Uint8Array) => Uint8Array = (bytes) => crypto.getRandomValues(bytes),
): string {
  if (!GUID_PATTERN.test(tenantId)) throw new RangeError("a secret token is minted for an Entra tenant id (a GUID)");
  const secret = random(new Uint8Array(SECRET_BYTES));
  if (secret.length !== SECRET_BYTES) throw new RangeError(`the random source must fill ${SECRET_BYTES} bytes`);
  return `${VERSION}.${tenantId.toLowerCase()}.${base64url(secret)}`;
}

/** The tenant a well-formed secret token names; undefined for anything else (including a JWT). */
export function parseSecretToken(token: string): { tenantId: string } | undefined {
  const match = typeof token === "string" ? SECRET_TOKEN_PATTERN.exec(token) : null;
  return match?.[1] ? { tenantId: match[1] } : undefined;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether `token` is the secret whose SHA-256 the tenant record holds; compares in constant time. */
export async function secretTokenMatches(token: string, expectedSha256Hex: string): Promise<boolean> {
  if (!parseSecretToken(token) || !SHA256_HEX_PATTERN.test(expectedSha256Hex)) return false;
  const actual = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
  return constantTimeEqual(actual, hexToBytes(expectedSha256Hex));
}

/** A compact JWS whose header is a JSON object (`eyJ` is base64url for `{"`): Entra's own token. */
export const looksLikeJwt = (token: string): boolean =>
  typeof token === "string" && /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);

type SubtleWithTimingSafeEqual = SubtleCrypto & {
  timingSafeEqual?: (a: ArrayBufferView | ArrayBuffer, b: ArrayBufferView | ArrayBuffer) => boolean;
};

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false; // both are SHA-256 digests; lengths are public
  const subtle = crypto.subtle as SubtleWithTimingSafeEqual;
  // workerd's extension; Node (the CLI) has none, hence the loop.
  if (typeof subtle.timingSafeEqual === "function") return subtle.timingSafeEqual(a, b);
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

function hexToBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
