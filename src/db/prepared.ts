// Statements Drizzle builds once per D1 binding (oncePer), with named placeholders, that each request binds.
// Drizzle still writes every statement from the schema (so the column lists and plans stay its own); what
// is skipped is rebuilding the same SQL on every request, which the bench's profile showed costing more
// CPU than D1 spends binding and running it. Drizzle's own db.batch does not fill placeholders, so a write
// binds its templates here and hands them to the binding's batch (db.$client.batch): still one atomic round
// trip.
import { fillPlaceholders, Param, sql, type Column, type SQL } from "drizzle-orm";

/** What Drizzle's prepare() gives; on D1 it also holds the binding's own statement (`stmt`). */
type Prepared = { getQuery(): { sql: string; params: unknown[] } };

/** A prepared statement waiting for its values: returns the binding's statement, ready for a batch. */
export type Template = (values: Record<string, unknown>) => D1PreparedStatement;

export function template(prepared: Prepared): Template {
  const { params } = prepared.getQuery();
  const stmt = (prepared as { stmt?: D1PreparedStatement }).stmt;
  if (!stmt) throw new TypeError("a statement template needs a Drizzle query prepared on D1");
  // Placeholders given as column values carry the column's encoder (booleans, JSON), as in a plain insert.
  return (values) => stmt.bind(...fillPlaceholders(params, values));
}

/**
 * One placeholder per column, named after the column's property and carrying its encoder, so a template
 * binds a row's values as a plain insert would (booleans as 0/1, JSON as text). Usable as insert values,
 * update sets and selected fields alike.
 */
export function columnPlaceholders<T extends Record<string, Column>, K extends keyof T & string = keyof T & string>(
  columns: T,
  keys: readonly K[] = Object.keys(columns) as K[],
): Record<K, SQL> {
  return Object.fromEntries(keys.map((key) => [key, sql`${new Param(sql.placeholder(key), columns[key])}`])) as Record<K, SQL>;
}

/** A row's values for the placeholders of columnPlaceholders: one per column, null where the row has none. */
export function columnValues(columns: Record<string, Column>, row: object): Record<string, unknown> {
  const values = row as Record<string, unknown>;
  return Object.fromEntries(Object.keys(columns).map((key) => [key, values[key] ?? null]));
}
