import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";

export type Db = DrizzleD1Database;

/**
 * A Drizzle handle over the D1 binding. No relational schema is passed: nothing uses db.query, and building
 * its table config costs CPU on every request.
 */
export const openDb = (d1: D1Database): Db => drizzle(d1);
