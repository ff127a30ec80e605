// Writing a batch of activity (recorder.ts) and pruning it. A flush is ONE statement when nothing was
// refused: an upsert of every count row, fed by json_each over the whole batch as a single JSON parameter
// (one round trip, one bound value, whatever the number of rows). Refusals add an insert and the trim that
// keeps each tenant's newest MAX_REFUSALS, in the same db.batch. Statements are prepared once per
// database handle (db/prepared.ts); the SQL is Drizzle's.
import { and, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { oncePer } from "../db/once-per.ts";
import { template } from "../db/prepared.ts";
import { tenantActivityCounts as counts, tenantRefusals as refusals } from "../db/schema.ts";
import type { ActivityBatch } from "./recorder.ts";
import { MAX_REFUSALS, oldestKeptDay } from "./vocabulary.ts";

/** The i-th element of json_each's current array: rows travel as arrays, the shortest JSON for them. */
const field = (i: number) => sql`json_extract(value, ${`$[${i}]`})`;
const rowsOf = (placeholder: string) => sql`json_each(${sql.placeholder(placeholder)})`;
const excluded = (column: { name: string }) => sql`excluded.${sql.identifier(column.name)}`;

const templates = oncePer((db: Db) => ({
  // "where true": SQLite reads ON CONFLICT after a bare INSERT ... SELECT ... FROM as part of a join.
  counts: template(
    db.$client,
    db
      .insert(counts)
      .select(
        db
          .select({ tenantId: field(0), bucket: field(1), kind: field(2), outcome: field(3), count: field(4), lastAt: field(5) })
          .from(rowsOf("rows"))
          .where(sql`true`) as never,
      )
      .onConflictDoUpdate({
        target: [counts.tenantId, counts.bucket, counts.kind, counts.outcome],
        set: { count: sql`${counts.count} + ${excluded(counts.count)}`, lastAt: sql`max(${counts.lastAt}, ${excluded(counts.lastAt)})` },
      }),
  ),
  refusals: template(
    db.$client,
    db
      .insert(refusals)
      .select(
        db
          .select({
            tenantId: field(0),
            requestId: field(1),
            at: field(2),
            kind: field(3),
            status: field(4),
            scimType: field(5),
            reason: field(6),
            detail: field(7),
            sent: field(8),
          })
          .from(rowsOf("rows"))
          .where(sql`true`) as never,
      )
      .onConflictDoNothing(),
  ),
  // Each tenant of the batch keeps its newest MAX_REFUSALS: older than its MAX_REFUSALS-th newest goes (on
  // the (tenant_id, at) index; a tenant with fewer has no such row, the comparison is NULL, nothing goes).
  trimRefusals: template(
    db.$client,
    db
      .delete(refusals)
      .where(
        and(
          inArray(refusals.tenantId, sql`(select distinct ${field(0)} from ${rowsOf("rows")})`),
          lt(
            refusals.at,
            sql`(select newer.at from ${refusals} as newer where newer.tenant_id = ${refusals}.tenant_id order by newer.at desc limit 1 offset ${MAX_REFUSALS - 1})`,
          ),
        ),
      ),
  ),
}));

/** The statements of one flush, for one db.batch: the counts, and the refusals with their trim if any. */
export function activityStatements(db: Db, batch: ActivityBatch): D1PreparedStatement[] {
  const t = templates(db);
  const statements = [t.counts({ rows: JSON.stringify(batch.counts) })];
  if (batch.refusals.length) {
    const rows = JSON.stringify(batch.refusals);
    statements.push(t.refusals({ rows }), t.trimRefusals({ rows }));
  }
  return statements;
}

/** Writes one flush as one atomic batch. */
export async function writeActivity(db: Db, batch: ActivityBatch): Promise<void> {
  await db.$client.batch(activityStatements(db, batch));
}

/**
 * The cron's housekeeping: counts older than the RETENTION_DAYS kept, at most `limit` rows a run, on the
 * bucket index (a run with nothing to prune reads nothing). Refusals need none: the trim keeps each
 * tenant's newest MAX_REFUSALS, so a tenant that stopped calling keeps its last few.
 */
export async function pruneActivity(db: Db, now: Date, limit = 5_000): Promise<number> {
  const oldest = db.select({ rowid: sql`rowid` }).from(counts).where(lt(counts.bucket, oldestKeptDay(now.getTime()))).limit(limit);
  const result = await db.delete(counts).where(inArray(sql`rowid`, oldest));
  return result.meta.changes ?? 0;
}
