// The user's mobile number is their identity at TeleMessage: userName (and usually externalId) carries it
// in international format, digits only, country code first (ITU-T E.164 without the "+").
// We check that a number is *possible* for its country code (its length), never that it is assigned:
// the examples in TeleMessage's setup guide (11234567890, 441234567890, 85212345678) are fictitious and
// must be accepted. A TeleMessage profile rule (SCIM's userName is any unique string), so it lives in users/.
//
// Metadata: `libphonenumber-js/min`, the smallest bundle that still carries country calling codes and
// possible lengths (~30 kB gzipped with its metadata, against ~70 kB for /max); /max and /mobile add
// per-type patterns we do not use, because we never ask whether a number is valid or a mobile.
//
// Details are written for the Entra admin who must fix the attribute mapping. They never echo the
// number: a detail describes the problem, and the only example given is a fixed, fictitious one (even
// where showing the admin's own number corrected would be shorter: a detail also lands in Entra's
// provisioning logs and in tickets, and one rule with no exception is easier to keep than a careful one).
//
// A tenant may list the country calling codes its numbers have (`callingCodes` in its allow-list record).
// About 44 % of 10-digit US numbers typed without the leading 1 are *possible* numbers of another country
// (20 Egypt, 61 Australia, 91 India, 49 Germany...), so length alone cannot catch them; the list can, and
// the detail then names the likely fix. Without a list, a number that is impossible under its own code but
// would be a possible US number with a 1 in front gets the same hint.
import { Metadata, parsePhoneNumberWithError, validatePhoneNumberLength } from "libphonenumber-js/min";
import type { CountryCode, PhoneNumber } from "libphonenumber-js/min";
import metadata from "libphonenumber-js/min/metadata";

export type CanonicalMobile = { ok: true; mobile: string } | { ok: false; detail: string };

/** ITU-T E.164: an international number has at most 15 digits. */
const E164_MAX_DIGITS = 15;
/** Longer input is not a phone number however it is punctuated; stops work on junk early. */
const MAX_INPUT_LENGTH = 64;
/** Separators people (and spreadsheets) put in numbers: spaces, dashes, dots, brackets. */
const SEPARATORS = /[\s\-.()]/g;
const NON_GEOGRAPHIC = "001";

const EXPECTED =
  "userName must be the mobile number in international format, country code first, digits only (e.g. 441234567890)";
const NATIONAL_FORMAT =
  "The mobile number is in national format (it starts with 0); write it in international format with the " +
  "country code first, e.g. UK 0123 456 7890 -> 441234567890";

const TRUNK_PREFIX =
  "After the country code, the mobile number starts with a national prefix (such as the trunk prefix 0) that " +
  "international format omits, e.g. UK +44 (0)1234 567890 -> 441234567890";

const fail = (detail: string): CanonicalMobile => ({ ok: false, detail });

/**
 * The canonical form of a mobile number given as userName: digits only, country code first.
 *
 * Accepted decoration: a leading "+", and spaces, dashes, dots and brackets anywhere ("+44 (1234) 567-890").
 * A leading "00" is read as the international call prefix (the ITU-T recommended one, which most of Europe
 * dials for "+"): "00441234567890" is 441234567890. This is unambiguous because no country code starts with 0.
 * Other exit codes ("011" from the US) are not guessed at: they read as national format and are rejected.
 */
export function canonicalMobile(userName: string, callingCodes?: readonly string[]): CanonicalMobile {
  const input = userName.trim();
  if (input === "") return fail(`The mobile number is empty; ${EXPECTED}.`);
  if (input.length > MAX_INPUT_LENGTH) return fail(`The mobile number is too long; ${EXPECTED}.`);
  if (/\p{L}/u.test(input)) return fail(`The mobile number contains letters; ${EXPECTED}.`);
  const plus = input.startsWith("+");
  const body = plus ? input.slice(1) : input;
  const digitsAndSeparators = body.replace(SEPARATORS, "");
  if (!/^\d*$/.test(digitsAndSeparators)) {
    return fail(
      `The mobile number contains characters other than digits, spaces, dashes, dots, brackets and a leading '+'; ${EXPECTED}.`,
    );
  }
  if (digitsAndSeparators === "") return fail(`The mobile number has no digits; ${EXPECTED}.`);

  let digits = digitsAndSeparators;
  if (!plus && digits.startsWith("00")) digits = digits.slice(2);
  else if (!plus && digits.startsWith("0")) return fail(NATIONAL_FORMAT);
  if (digits === "" || digits.startsWith("0")) {
    return fail(`The mobile number does not start with a country code (country codes never start with 0); ${EXPECTED}.`);
  }
  // "+44 (0)1234 567890": the bracketed trunk prefix belongs to national dialling only.
  if (/\(\s*0\s*\)/.test(body)) return fail(TRUNK_PREFIX);
  return checkPossible(digits, callingCodes);
}

/**
 * For filters: the canonical number if `value` is a possible mobile number, else undefined. A GUID or any
 * other non-number is not an error in a filter; it simply matches no user.
 */
export function mobileForLookup(value: unknown): string | undefined {
  // An unquoted number in a filter may arrive as a JS number; only integers can be phone numbers.
  if (typeof value === "number") return Number.isSafeInteger(value) && value > 0 ? lookup(String(value)) : undefined;
  return typeof value === "string" ? lookup(value) : undefined;
}

/** Already canonical: digits only, no leading 0, a possible length for some country. */
const CANONICAL_SHAPE = /^[1-9]\d{6,14}$/;

function lookup(value: string): string | undefined {
  // Entra looks users up by exactly what it stored, the canonical digits: skip the metadata work. A value
  // of that shape that canonicalMobile would refuse cannot equal any stored number (every stored number
  // is canonicalMobile's output), so the match is the same either way.
  if (CANONICAL_SHAPE.test(value)) return value;
  const result = canonicalMobile(value);
  return result.ok ? result.mobile : undefined;
}

function checkPossible(digits: string, callingCodes?: readonly string[]): CanonicalMobile {
  const callingCode = countryCallingCode(digits);
  if (callingCodes && (callingCode === undefined || !callingCodes.includes(callingCode))) {
    return outsideCallingCodes(digits, callingCode, callingCodes);
  }
  if (callingCode === undefined) {
    return fail(
      "The mobile number does not start with a known country code (e.g. 1 for US, 44 for GB, 852 for HK); " +
        `${EXPECTED}.${usHint(digits, callingCodes)}`,
    );
  }
  // One parse on the way to success; the failure details (region, possible lengths) are worked out only
  // when they are shown.
  const parsed = digits.length > E164_MAX_DIGITS ? undefined : parse(digits);
  if (!parsed?.isPossible()) return appendHint(lengthFailure(digits, callingCode), usHint(digits, callingCodes));
  // libphonenumber strips a national (trunk or carrier) prefix written after the country code, as in
  // "+44 01234 567890", and then calls the rest possible. Keeping those digits would store a key that never
  // matches the same number written correctly, so the admin is asked to drop them.
  if (parsed.nationalNumber !== digits.slice(callingCode.length)) return fail(TRUNK_PREFIX);
  return { ok: true, mobile: digits };
}

/** Fixed, fictitious examples of a number in international format, for the details' "e.g.". */
const EXAMPLES: Readonly<Record<string, string>> = { "1": "12025550123", "44": "441234567890", "852": "85212345678" };
const US = "1";

/** Whether `digits` (country code first) is a possible number whose national part is exactly what follows the code. */
function isPossibleNumber(digits: string): boolean {
  const callingCode = countryCallingCode(digits);
  if (callingCode === undefined || digits.length > E164_MAX_DIGITS) return false;
  const parsed = parse(digits);
  return parsed?.isPossible() === true && parsed.nationalNumber === digits.slice(callingCode.length);
}

/**
 * The sentence naming the country code(s) left off, e.g. " It looks like a US number without its country
 * code 1: send 1 followed by the national number, e.g. 12025550123." Several codes that would each make it
 * possible are all named; the admin knows which country the user's phone is from.
 */
function missingCodeHint(codes: readonly string[]): string {
  const examples = codes.flatMap((code) => (EXAMPLES[code] ? [EXAMPLES[code]] : []));
  const eg = examples.length ? `, e.g. ${examples.join(" or ")}` : "";
  const [only] = codes;
  if (codes.length === 1 && only !== undefined) {
    return ` It looks like a ${describeRegion(only)} number without its country code ${only}: send ${only} followed by the national number${eg}.`;
  }
  const which = codes.map((code) => `${describeRegion(code)} ${code}`).join(" or ");
  return ` It looks like a national number without its country code (${which}): send the country code followed by the national number${eg}.`;
}

/**
 * The hint for a 10-digit US number typed without its 1, when that is what an impossible number looks like;
 * never for a tenant whose list leaves out the US.
 */
const usHint = (digits: string, callingCodes: readonly string[] | undefined): string =>
  (!callingCodes || callingCodes.includes(US)) && isPossibleNumber(`${US}${digits}`) ? missingCodeHint([US]) : "";

const appendHint = (result: CanonicalMobile, hint: string): CanonicalMobile => (result.ok || !hint ? result : fail(`${result.detail}${hint}`));

function outsideCallingCodes(digits: string, callingCode: string | undefined, callingCodes: readonly string[]): CanonicalMobile {
  const allowed = callingCodes.join(", ");
  const own = callingCode === undefined ? "does not start with a known country code" : `has ${describeCallingCode(callingCode)}`;
  const likely = callingCodes.filter((code) => isPossibleNumber(`${code}${digits}`));
  if (likely.length) {
    return fail(`The mobile number ${own}, which is not one of this tenant's country codes (${allowed}).${missingCodeHint(likely)}`);
  }
  return fail(
    `The mobile number ${own}, which is not one of this tenant's country codes (${allowed}); ${EXPECTED}. ` +
      "If the number is right, ask your TeleMessage account manager to add its country code.",
  );
}

function lengthFailure(digits: string, callingCode: string): CanonicalMobile {
  const where = `${describeCallingCode(callingCode)}${expectedLengths(callingCode)}`;
  if (digits.length > E164_MAX_DIGITS) {
    return fail(`The mobile number is too long for ${where}; an international number has at most 15 digits.`);
  }
  switch (validatePhoneNumberLength(`+${digits}`)) {
    case "TOO_SHORT":
      return fail(`The mobile number is too short for ${where}.`);
    case "TOO_LONG":
      return fail(`The mobile number is too long for ${where}.`);
    default:
      return fail(`The mobile number has an impossible length for ${where}.`);
  }
}

function parse(digits: string): PhoneNumber | undefined {
  try {
    return parsePhoneNumberWithError(`+${digits}`);
  } catch {
    return undefined;
  }
}

/** Country calling codes are a prefix code (ITU-T E.164): at most one of the first 1-3 digits matches. */
function countryCallingCode(digits: string): string | undefined {
  for (let length = 1; length <= 3; length++) {
    const prefix = digits.slice(0, length);
    if (metadata.country_calling_codes[prefix] !== undefined) return prefix;
  }
  return undefined;
}

/** The main region for a calling code is listed first ("1" -> US, "44" -> GB). */
function mainRegion(callingCode: string): string | undefined {
  return metadata.country_calling_codes[callingCode]?.[0];
}

function describeRegion(callingCode: string): string {
  const region = mainRegion(callingCode);
  return region === undefined || region === NON_GEOGRAPHIC ? "non-geographic" : region;
}

function describeCallingCode(callingCode: string): string {
  return `country code ${callingCode} (${describeRegion(callingCode)})`;
}

/** ": expected 7, 9 or 10 digits after the country code", from the region's possible lengths. */
function expectedLengths(callingCode: string): string {
  const region = mainRegion(callingCode);
  if (region === undefined || region === NON_GEOGRAPHIC) return "";
  const plan = new Metadata();
  plan.selectNumberingPlan(region as CountryCode);
  const lengths = plan.numberingPlan?.possibleLengths() ?? [];
  if (lengths.length === 0) return "";
  const list =
    lengths.length === 1 ? String(lengths[0]) : `${lengths.slice(0, -1).join(", ")} or ${String(lengths.at(-1))}`;
  return `: expected ${list} digits after the country code`;
}
