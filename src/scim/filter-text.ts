// What a filter's text may contain before scim2-parse-filter tokenizes it (issue 11 §2). The library's
// pattern for a quoted string, ("(?:[^"\\]|\\.|\n)*"), lets a line feed match two branches, so an
// unterminated string of line feeds backtracks exponentially: 44 characters took 2.6 s of CPU, blocking the
// isolate for every tenant. Without control characters no character matches two branches and each token is
// read in linear time. RFC 7644 §3.4.2.2 filters are text on one line (its ABNF has no control character),
// and a compValue is a JSON string (RFC 7159), whose only escapes that a filter needs are \" and \\; the
// others (\n, \t, \u....) are refused too, so that no escape can smuggle in what the first rule keeps out.
// Used for GET /Users filters and for the value filters inside PATCH paths (scim-patch parses those with
// the same library).

/** Unicode control characters (Cc: U+0000-U+001F, U+007F-U+009F). */
const CONTROL = /\p{Cc}/u;

/** Why `text` may not reach the filter parser, or undefined when it may. */
export function filterTextProblem(text: string): string | undefined {
  if (CONTROL.test(text)) return "contains a control character (such as a line break or tab); filters and attribute paths are one line of text";
  for (let i = text.indexOf("\\"); i >= 0; i = text.indexOf("\\", i + 2)) {
    const next = text[i + 1];
    if (next !== '"' && next !== "\\") return 'contains a backslash escape other than \\" or \\\\';
  }
  return undefined;
}
