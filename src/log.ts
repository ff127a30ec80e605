// The one log writer of the Worker: one JSON object per line, which Workers Logs keeps (wrangler.toml
// [observability.logs]). The line's level picks the console method, so Workers Logs files each line at its
// own level: "error" goes to console.error, "warn" to console.warn, anything else to console.log (a 4xx
// request is a warning, a 5xx an error; issue 14 §4). The method is looked up per line, so whoever replaces
// it (a test, the bench's what-if) is heard. No line ever carries a phone number, e-mail, token or SQL: the
// callers log ids, counts, reasons and error classes only.

/** One structured line: `level` ("info", "warn", "error") and `msg` by convention, then the fields. */
export type LogFields = Record<string, unknown>;

export type Log = (fields: LogFields) => void;

export const writeJsonLine: Log = (fields) => {
  const line = JSON.stringify(fields);
  if (fields.level === "error") console.error(line);
  else if (fields.level === "warn") console.warn(line);
  else console.log(line);
};
