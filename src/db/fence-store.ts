// A tenant's fence (issue 15 §3): while its users move between shards, a row in tenant_fences on both shards
// (schema.ts) stops every write of the tenant there. The check lives inside each write's own SQL (unfenced()
// below, in every statement of the write's batch), not in a read before it: a read-then-write would let a
// write that read "no fence" land after the fence went in, and be lost when the move copies past it. When a
// write applied nothing, the use case asks isFenced to tell a fence (503 + Retry-After: Entra retries, and
// its retry reaches the tenant's new shard) from a lost race or a full quota.
import { eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "./client.ts";
import { readGuarded } from "./storage-errors.ts";
import { tenantFences } from "./schema.ts";

/** SQL true while the tenant bound to `tenantId` (a placeholder or a value) has no fence on this shard. */
export const unfenced = (tenantId: unknown): SQL => sql`not exists (select 1 from ${tenantFences} where ${tenantFences.tenantId} = ${tenantId})`;

/** Whether the tenant's writes are fenced on this shard (a move is under way, or it moved away). */
export async function isFenced(db: Db, tenantId: string): Promise<boolean> {
  const rows = await readGuarded(() => db.select({ state: tenantFences.state }).from(tenantFences).where(eq(tenantFences.tenantId, tenantId)).limit(1));
  return rows.length > 0;
}
