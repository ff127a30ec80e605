// The optional list of country calling codes a tenant's mobile numbers may have (`callingCodes: ["1"]`).
// With it, a number under any other code is refused with a hint (src/users/mobile-number.ts): a US number typed
// without its leading 1 is very often a possible number of another country, and the core would archive the
// wrong line. Each code must be a real ITU-T E.164 country calling code.
import metadata from "libphonenumber-js/min/metadata";
import * as z from "zod";

/**
 * Whether `code` is an ITU-T E.164 country calling code (1, 44, 852, ...), by libphonenumber's metadata (the
 * same data users/mobile-number.ts checks numbers with). Here rather than there: the record format
 * (record.ts) validates with it, and tenants/ imports nothing of the Worker's higher floors.
 */
export const isCallingCode = (code: string): boolean => metadata.country_calling_codes[code] !== undefined;

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
