// Statements Drizzle writes once per D1 binding (oncePer), with named placeholders, that each request binds.
// Drizzle still writes every statement from the schema (so the column lists and plans stay its own); what is
// skipped is rebuilding the same SQL on every request. Measured (issue 13 §5; npm run bench -- --quick, runs
// alternating with the code before): Drizzle's builders per request in db.batch, the simpler form, took the
// create from 0.92 to 0.57 of the baseline's throughput and from 4.7 to 7.0 ms of workerd CPU per request
// (disable 1.04 -> 0.67); this form matches the private-API templates it replaced (create 0.86 -> 0.87,
// disable 0.92 -> 0.92, CPU equal; 15 rounds each).
//
// Public APIs only: Drizzle's toSQL() gives the SQL text and its parameters in bind order, where a
// placeholder (sql.placeholder) appears with its name; D1's own prepare(sql).bind(...) binds them, a value for
// a column's placeholder encoded with that column's mapToDriverValue, as a plain insert would encode it
// (booleans as 0/1, JSON as text). Use cases put the bound statements into the binding's own batch
// (db.$client.batch): still one atomic round trip.
import { is, Placeholder, sql, type Column, type SQL } from "drizzle-orm";

/** A built query that has not run: any Drizzle builder. */
type Query = { toSQL(): { sql: string; params: unknown[] } };

/** A statement waiting for its values: returns the binding's statement, ready for a batch. */
export type Template = (values: Record<string, unknown>) => D1PreparedStatement;

/**
 * `query` prepared once on `d1`. A placeholder named after a key of `columns` is encoded by that column; any
 * other placeholder is bound as given, and a value Drizzle wrote into the query (a literal of a condition) as
 * Drizzle encoded it.
 */
export function template(d1: D1Database, query: Query, columns: Record<string, Column> = {}): Template {
  const { sql: text, params } = query.toSQL();
  const statement = d1.prepare(text);
  const slots = params.map((param): ((values: Record<string, unknown>) => unknown) => {
    if (!is(param, Placeholder)) return () => param;
    const { name } = param;
    const column = Object.hasOwn(columns, name) ? columns[name] : undefined;
    return (values) => {
      if (!Object.hasOwn(values, name)) throw new TypeError(`no value for the placeholder "${name}"`);
      const value = values[name];
      return value === null || column === undefined ? value : column.mapToDriverValue(value);
    };
  });
  return (values) => statement.bind(...slots.map((slot) => slot(values)));
}

/**
 * One placeholder per column, named after the column's property, so a template built with the same columns
 * binds a row's values as a plain insert would. Usable as insert values, update sets and selected fields.
 */
export function columnPlaceholders<T extends Record<string, Column>, K extends keyof T & string = keyof T & string>(
  columns: T,
  keys: readonly K[] = Object.keys(columns) as K[],
): Record<K, SQL> {
  return Object.fromEntries(keys.map((key) => [key, sql`${sql.placeholder(key)}`])) as Record<K, SQL>;
}

/** A row's values for the placeholders of columnPlaceholders: one per column, null where the row has none. */
export function columnValues(columns: Record<string, Column>, row: object): Record<string, unknown> {
  const values = row as Record<string, unknown>;
  return Object.fromEntries(Object.keys(columns).map((key) => [key, values[key] ?? null]));
}
