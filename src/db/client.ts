import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";

/** Drizzle over D1, with the binding it runs on ($client) for batches of prepared statements. */
export type Db = DrizzleD1Database & { $client: D1Database };

/**
 * A Drizzle handle over the D1 binding, one per binding for the isolate's lifetime (the runtime hands every
 * request the same binding object; a new one just gets its own handle). No relational schema is passed:
 * nothing uses db.query, and building its table config costs CPU.
 */
const handles = new WeakMap<D1Database, Db>();

export function openDb(d1: D1Database): Db {
  let db = handles.get(d1);
  if (!db) {
    db = drizzle(d1);
    handles.set(d1, db);
  }
  return db;
}
