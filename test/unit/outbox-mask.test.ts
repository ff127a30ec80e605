// Operator output and stored error text never show a phone number or an e-mail address in clear.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_REASON_LENGTH, maskNumber, redactText } from "../../src/outbox/mask.ts";

describe("masking phone numbers", () => {
  it.each([
    ["441234567890", "4412******90"],
    ["11234567890", "1123*****90"],
    ["85212345678", "8521*****78"],
    ["123456", "****56"],
  ])("%s -> %s", (number, masked) => {
    expect(maskNumber(number)).toBe(masked);
  });

  it("keeps the length and shows at most the first four and last two digits", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{7,15}$/), (digits) => {
        const masked = maskNumber(digits);
        expect(masked).toHaveLength(digits.length);
        expect(masked.replace(/\*/g, "").length).toBe(6);
        expect(masked.slice(4, -2)).toMatch(/^\*+$/);
      }),
    );
  });
});

describe("redacting free text from the core", () => {
  it("masks numbers, however punctuated, and e-mail addresses", () => {
    expect(redactText('{"error":"user +44 1234 567890 (ann.lee@contoso.example) is blocked"}')).toBe(
      '{"error":"user 4412******90 (<e-mail>) is blocked"}',
    );
  });

  it("leaves short numbers such as status codes and field counts alone", () => {
    expect(redactText("HTTP 400: 3 fields invalid")).toBe("HTTP 400: 3 fields invalid");
  });

  it("never lets a 10-digit run or an address through, and bounds the length", () => {
    fc.assert(
      fc.property(fc.string(), fc.stringMatching(/^[0-9]{10,15}$/), fc.emailAddress(), fc.string(), (a, number, email, b) => {
        const out = redactText(`${a} ${number} ${email} ${b}`);
        expect(out).not.toContain(number);
        expect(out).not.toContain(email);
        expect(out.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
      }),
    );
  });
});
