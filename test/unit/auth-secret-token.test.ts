import { describe, expect, it } from "vitest";
import {
  looksLikeJwt,
  mintSecretToken,
  parseSecretToken,
  secretTokenMatches,
  sha256Hex,
} from "../../src/tenants/secret-token.ts";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const fixedRandom = (fill: number) => (bytes: Uint8Array) => bytes.fill(fill);

describe("secret tokens", () => {
  it("mints tm1.<tenant>.<43 base64url characters> with the tenant in lower case", () => {
    const token = mintSecretToken(TENANT.toUpperCase());
    expect(token).toMatch(/^tm1\.72f988bf-86f1-41af-91ab-2d7cd011db47\.[A-Za-z0-9_-]{43}$/);
  });

  it("encodes the injected random bytes", () => {
    expect(mintSecretToken(TENANT, fixedRandom(0xff))).toBe(`tm1.${TENANT}.${"_".repeat(42)}8`);
  });

  it("mints a different token each time", () => {
    expect(mintSecretToken(TENANT)).not.toBe(mintSecretToken(TENANT));
  });

  it("refuses to mint for a tenant id that is not a GUID", () => {
    expect(() => mintSecretToken("contoso.onmicrosoft.com")).toThrow(RangeError);
  });

  it("round-trips: a minted token parses to its tenant and matches its own SHA-256", async () => {
    const token = mintSecretToken(TENANT);
    expect(parseSecretToken(token)).toEqual({ tenantId: TENANT });
    expect(await secretTokenMatches(token, await sha256Hex(token))).toBe(true);
  });

  it("hashes to 64 lower-case hex digits, as the tenant record requires", async () => {
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("rejects another token for the same tenant", async () => {
    const expected = await sha256Hex(mintSecretToken(TENANT));
    expect(await secretTokenMatches(mintSecretToken(TENANT), expected)).toBe(false);
  });

  it("rejects a prefix of the right token", async () => {
    const token = mintSecretToken(TENANT);
    const expected = await sha256Hex(token);
    expect(await secretTokenMatches(token.slice(0, -1), expected)).toBe(false);
    expect(await secretTokenMatches(token.slice(0, 20), expected)).toBe(false);
  });

  it("rejects the stored hash itself presented as the token", async () => {
    const expected = await sha256Hex(mintSecretToken(TENANT));
    expect(await secretTokenMatches(expected, expected)).toBe(false);
  });

  it("rejects everything when the stored hash is not 64 lower-case hex digits", async () => {
    const token = mintSecretToken(TENANT);
    expect(await secretTokenMatches(token, (await sha256Hex(token)).toUpperCase())).toBe(false);
    expect(await secretTokenMatches(token, "")).toBe(false);
  });

  it.each([
    ["an empty string", ""],
    ["another version", `tm2.${TENANT}.${"A".repeat(43)}`],
    ["an upper-case tenant", `tm1.${TENANT.toUpperCase()}.${"A".repeat(43)}`],
    ["a tenant that is not a GUID", `tm1.contoso.${"A".repeat(43)}`],
    ["a secret one character short", `tm1.${TENANT}.${"A".repeat(42)}`],
    ["a secret one character long", `tm1.${TENANT}.${"A".repeat(44)}`],
    ["base64 padding", `tm1.${TENANT}.${"A".repeat(43)}=`],
    ["standard base64 characters", `tm1.${TENANT}.${"+".repeat(42)}A`],
    ["a last character that encodes bits beyond 32 bytes", `tm1.${TENANT}.${"A".repeat(42)}B`],
    ["surrounding space", ` tm1.${TENANT}.${"A".repeat(43)}`],
    ["a trailing newline", `tm1.${TENANT}.${"A".repeat(43)}\n`],
    ["a JWT", "eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ4In0.c2ln"],
  ])("parseSecretToken rejects %s", (_, token) => {
    expect(parseSecretToken(token)).toBeUndefined();
  });

  it("tells a JWT from a secret token", () => {
    expect(looksLikeJwt("eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ4In0.c2ln")).toBe(true);
    expect(looksLikeJwt(mintSecretToken(TENANT))).toBe(false);
    expect(looksLikeJwt("eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ4In0")).toBe(false);
    expect(looksLikeJwt("")).toBe(false);
  });
});
