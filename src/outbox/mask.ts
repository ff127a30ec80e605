// Personal data kept out of operator output and stored error text. A phone number is masked to its
// country-code end and last two digits (441234567890 -> 4412******90): enough to tell two users apart in a
// list, not enough to call anyone. Free text from the core (an error body) may echo the number or the
// e-mail it was sent, so it is redacted before it is stored.

const KEEP_HEAD = 4;
const KEEP_TAIL = 2;
/** Error text stored per event; the core's full answer belongs in the core's own logs. */
export const MAX_REASON_LENGTH = 200;

export function maskNumber(digits: string): string {
  if (digits.length <= KEEP_HEAD + KEEP_TAIL) return "*".repeat(Math.max(0, digits.length - KEEP_TAIL)) + digits.slice(-KEEP_TAIL);
  return digits.slice(0, KEEP_HEAD) + "*".repeat(digits.length - KEEP_HEAD - KEEP_TAIL) + digits.slice(-KEEP_TAIL);
}

/** Runs of 6 or more digits, possibly punctuated like a phone number (+44 1234-567 890). */
const NUMBER_LIKE = /\+?\d[\d\s().-]{4,}\d/g;
/** RFC 5322 atext around an @; stops at quotes, brackets and separators that delimit it in JSON or prose. */
const EMAIL_LIKE = /[^\s@"<>()[\],;:]+@[^\s@"'<>()[\],;:]+/g;

/** Masks number-like runs and e-mail addresses in free text, collapses space, and bounds its length. */
export function redactText(text: string, maxLength = MAX_REASON_LENGTH): string {
  const redacted = text
    .replace(EMAIL_LIKE, "<e-mail>")
    .replace(NUMBER_LIKE, (run) => {
      const digits = run.replace(/\D/g, "");
      return digits.length >= 6 ? maskNumber(digits) : run;
    })
    .replace(/\s+/g, " ")
    .trim();
  return redacted.length > maxLength ? `${redacted.slice(0, maxLength - 1)}…` : redacted;
}
