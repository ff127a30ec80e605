import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import { oncePer } from "./once-per.ts";

/** Drizzle over D1, with the binding it runs on ($client) for batches of prepared statements. */
export type Db = DrizzleD1Database & { $client: D1Database };

/** Ids per `IN (...)` list: D1 binds at most 100 parameters per statement, and a statement has a few more. */
export const IDS_PER_STATEMENT = 90;

/**
 * A Drizzle handle over the D1 binding, one per binding for the isolate's lifetime. No relational schema is
 * passed: nothing uses db.query, and building its table config costs CPU.
 */
export const openDb: (d1: D1Database) => Db = oncePer((d1: D1Database) => drizzle(d1));
