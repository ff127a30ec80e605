import { describe, expect, it } from "vitest";
import { canonicalMobile, mobileForLookup } from "../../src/users/mobile-number.ts";

function rejection(input: string): string {
  const result = canonicalMobile(input);
  if (result.ok) throw new Error(`expected a rejection, got ${result.mobile}`);
  return result.detail;
}

describe("canonicalMobile", () => {
  it.each([
    ["11234567890", "US"],
    ["441234567890", "UK"],
    ["85212345678", "HK"],
  ])("accepts the setup guide's fictitious %s (%s): possible, though never assigned", (number) => {
    expect(canonicalMobile(number)).toEqual({ ok: true, mobile: number });
  });

  it.each([
    ["+44 1234 567890", "441234567890"],
    ["+44 (1234) 567-890", "441234567890"],
    ["+1 123.456.7890", "11234567890"],
    ["  +852 1234 5678  ", "85212345678"],
    ["+447911123456", "447911123456"],
  ])("strips the '+' and separators from %j, giving %s", (input, mobile) => {
    expect(canonicalMobile(input)).toEqual({ ok: true, mobile });
  });

  it("reads a leading 00 as the international prefix, as dialled in most of Europe", () => {
    expect(canonicalMobile("00 44 1234 567890")).toEqual({ ok: true, mobile: "441234567890" });
  });

  it("rejects a national-format number, explaining the international format with the fixed UK example", () => {
    const detail = rejection("0123 456 7890");
    expect(detail).toContain("national format");
    expect(detail).toContain("UK 0123 456 7890 -> 441234567890");
  });

  it("rejects a US exit code (011) as national format rather than guessing", () => {
    expect(rejection("011441234567890")).toContain("national format");
  });

  it("rejects letters and says what the attribute must hold", () => {
    const detail = rejection("44abc");
    expect(detail).toContain("contains letters");
    expect(detail).toContain("international format");
  });

  it("rejects an e-mail address mapped to userName without echoing it", () => {
    const detail = rejection("ann.lee@contoso.example");
    expect(detail).toContain("letters");
    expect(detail).not.toContain("contoso");
  });

  it("rejects characters other than digits and separators", () => {
    expect(rejection("44*1234#567890")).toContain("characters other than digits");
    expect(rejection("44+1234567890")).toContain("characters other than digits");
  });

  it("rejects a number that is too short for its country code, naming the code and its region", () => {
    const detail = rejection("1123");
    expect(detail).toContain("too short for country code 1 (US)");
    expect(detail).toContain("expected 10 digits after the country code");
    expect(detail).not.toContain("1123");
  });

  it("rejects a number that is too long for its country code", () => {
    expect(rejection("1123456789012345")).toContain("too long for country code 1 (US)");
    expect(rejection("4412345678901")).toContain("too long for country code 44 (GB)");
  });

  it("lists every possible length when the country has several", () => {
    expect(rejection("4412345678")).toContain("expected 7, 9 or 10 digits after the country code");
  });

  it("rejects an unknown country code", () => {
    expect(rejection("9991234567")).toContain("does not start with a known country code");
  });

  it("rejects a trunk prefix written after the country code, with or without brackets", () => {
    expect(rejection("+44 (0)1234 567890")).toContain("trunk prefix");
    expect(rejection("+44 01234 567890")).toContain("trunk prefix");
  });

  it("keeps a leading 0 that belongs to the national number (Italy)", () => {
    expect(canonicalMobile("+39 06 1234 5678")).toEqual({ ok: true, mobile: "390612345678" });
  });

  it("rejects '+0' and bare punctuation as having no country code or no digits", () => {
    expect(rejection("+0441234567890")).toContain("does not start with a country code");
    expect(rejection("+ ( ) -")).toContain("no digits");
    expect(rejection("")).toContain("empty");
  });

  it("never echoes the number in a detail", () => {
    for (const input of ["1123", "1123456789012345", "9991234567", "+44 01234 567890", "0123 456 7890"]) {
      const digits = input.replace(/\D/g, "");
      expect(rejection(input)).not.toContain(digits);
    }
  });
});

describe("mobileForLookup", () => {
  it("gives the canonical number for a possible number in any accepted spelling", () => {
    expect(mobileForLookup("+44 1234 567890")).toBe("441234567890");
    expect(mobileForLookup("11234567890")).toBe("11234567890");
  });

  it("gives undefined for a GUID, which Entra ID sends to probe: no match, not an error", () => {
    expect(mobileForLookup("9c1b7f3e-2d4a-4c55-9a0e-0f1e2d3c4b5a")).toBeUndefined();
  });

  it("gives undefined for an impossible number and for values that are not strings", () => {
    expect(mobileForLookup("1123")).toBeUndefined();
    expect(mobileForLookup(true)).toBeUndefined();
    expect(mobileForLookup(null)).toBeUndefined();
    expect(mobileForLookup(undefined)).toBeUndefined();
  });

  it("accepts a safe integer, as an unquoted filter value may be", () => {
    expect(mobileForLookup(85212345678)).toBe("85212345678");
    expect(mobileForLookup(1.5)).toBeUndefined();
  });
});
