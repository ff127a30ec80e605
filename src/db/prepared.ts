// Statements Drizzle builds once per D1 binding, with named placeholders, and that each request only binds.
// Drizzle still writes every statement from the schema (so the column lists and plans stay its own); what
// is skipped is rebuilding the same SQL on every request, which the bench's profile showed costing more
// CPU than D1 spends binding and running it. Drizzle's own db.batch does not fill placeholders, so a write
// binds its templates here and hands them to the binding's batch: still one atomic round trip.
import { fillPlaceholders, Param, sql, type Column, type SQL } from "drizzle-orm";
import type { Db } from "./client.ts";

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

/** Builds something once per Db (one per binding, src/db/client.ts) and hands back the same one after. */
export function perDb<T>(build: (db: Db) => T): (db: Db) => T {
  const built = new WeakMap<Db, T>();
  return (db) => {
    let value = built.get(db);
    if (value === undefined) {
      value = build(db);
      built.set(db, value);
    }
    return value;
  };
}

/** Runs bound templates as one atomic batch on the binding behind `db`. */
export const runBatch = (db: Db, statements: D1PreparedStatement[]): Promise<D1Result[]> => db.$client.batch(statements);
