// Issue 12 §4: numbers that belong to another country. The share below backs the figure in the docs.
import { describe, expect, it } from "vitest";
import { canonicalMobile } from "../../src/users/mobile-number.ts";
import { createRandom } from "../../src/tools/entra-sim/random.ts";

const detail = (input: string, codes?: string[]) => {
  const result = canonicalMobile(input, codes);
  if (result.ok) throw new Error(`expected a refusal, got ${result.mobile}`);
  return result.detail;
};

describe("US numbers typed without their country code 1", () => {
  it("are possible numbers of another country about 44 % of the time (10,000 random NANP numbers)", () => {
    const random = createRandom(12);
    let accepted = 0;
    const total = 10_000;
    for (let i = 0; i < total; i++) {
      // NANP: area code and exchange each start with 2-9.
      const national = `${random.int(2, 10)}${random.digits(2)}${random.int(2, 10)}${random.digits(2)}${random.digits(4)}`;
      if (canonicalMobile(national).ok) accepted++;
    }
    expect(accepted / total).toBeGreaterThan(0.4);
    expect(accepted / total).toBeLessThan(0.48);
  });

  it("are refused under a tenant's list of country codes, with the fix named and a fixed example, not the number", () => {
    const text = detail("6175550123", ["1"]);
    expect(text).toBe(
      "The mobile number has country code 61 (AU), which is not one of this tenant's country codes (1). It looks like a US number without its country code 1: send 1 followed by the national number, e.g. 12025550123.",
    );
  });

  it("name every listed code that would make the number possible", () => {
    expect(detail("2025550123", ["44", "1"])).toContain("(GB 44 or US 1): send the country code followed by the national number, e.g. 441234567890 or 12025550123.");
  });

  it("get the US hint without a list only when impossible under their own code, and never under a list without 1", () => {
    expect(canonicalMobile("6175550123")).toEqual({ ok: true, mobile: "6175550123" });
    expect(detail("2125550123")).toMatch(/too short for country code 212 \(MA\).* It looks like a US number without its country code 1/);
    expect(detail("2125550123", ["44"])).not.toContain("US number");
  });
});

describe("a tenant's list of country codes", () => {
  it("accepts numbers under its codes and refuses others, asking for the code to be added if the number is right", () => {
    expect(canonicalMobile("441234567890", ["1", "44"])).toEqual({ ok: true, mobile: "441234567890" });
    expect(detail("85212345678", ["1", "44"])).toMatch(/country code 852 \(HK\), which is not one of this tenant's country codes \(1, 44\).*account manager/);
  });

  it("keeps the other checks: a national number with a leading 0 is still explained as such", () => {
    expect(detail("01234567890", ["44"])).toMatch(/national format/);
  });
});
