// Statements with positional parameters made into plain SQL text for `wrangler d1 execute --command`, which
// takes no bound parameters. Nothing of a value ever becomes SQL syntax: text goes in as a hex blob cast to
// TEXT (CAST(X'..' AS TEXT)), numbers only when they are safe integers, null as NULL. Pure and free of node:
// imports, so the Workers tests run the inlined statements against their D1 too.
import type { SqlStatement, SqlValue } from "../../db/tenant-ledger.ts";

export function sqlLiteral(value: SqlValue): string {
  if (value === null) return "NULL";
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new RangeError("only whole numbers are put into SQL text");
    return String(value);
  }
  const hex = Array.from(new TextEncoder().encode(value), (b) => b.toString(16).padStart(2, "0")).join("");
  return `CAST(X'${hex}' AS TEXT)`;
}

/** The statement with each `?` replaced by its value's literal; the statements never quote a `?`. */
export function inlineStatement({ sql, params }: SqlStatement): string {
  const parts = sql.split("?");
  if (parts.length - 1 !== params.length) throw new Error(`the statement has ${parts.length - 1} placeholders and ${params.length} values`);
  return parts.reduce((text, part, i) => (i === 0 ? part : `${text}${sqlLiteral(params[i - 1] as SqlValue)}${part}`), "");
}
