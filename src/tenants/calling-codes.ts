// The optional list of country calling codes a tenant's mobile numbers may have (`callingCodes: ["1"]`).
// With it, a number under any other code is refused with a hint (src/scim/mobile.ts): a US number typed
// without its leading 1 is very often a possible number of another country, and the core would archive the
// wrong line. Each code must be a real ITU-T E.164 country calling code.
import { z } from "zod";
import { isCallingCode } from "../scim/mobile.ts";

export const CallingCodes = z
  .array(
    z
      .string()
      .regex(/^[1-9][0-9]{0,2}$/, "a country calling code is 1 to 3 digits, without '+' or leading 0 (e.g. 1, 44, 852)")
      .refine(isCallingCode, "not a country calling code (e.g. 1 for US and Canada, 44 for GB, 852 for HK)"),
  )
  .min(1, "list at least one calling code, or leave callingCodes out to accept any")
  .refine((codes) => new Set(codes).size === codes.length, "calling codes must be unique");

/** "+1, 44" and repeated options as a clean list: '+' and spaces dropped, commas split, order kept. */
export function parseCallingCodes(inputs: readonly string[]): string[] {
  return inputs
    .flatMap((input) => input.split(","))
    .map((code) => code.trim().replace(/^\+/, ""))
    .filter((code) => code !== "");
}
