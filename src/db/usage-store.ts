// Each tenant's running count of users (tenant_usage), moved in the same batch as the write it counts, and
// only if that write applied: the create's conditional INSERT (user-store.ts insertUserWithinQuota) reads it.
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { oncePer } from "./once-per.ts";
import { template } from "./prepared.ts";
import { tenantUsage, users } from "./schema.ts";
import { unfenced } from "./fence-store.ts";

const templates = oncePer((db: Db) => ({
  // After the create's INSERT: +1 if the user row with this event is there (the insert applied), else +0.
  // An upsert, so a tenant's first user (or one from before tenant_usage) gets its row.
  countCreated: template(
    db.$client,
    db
      .insert(tenantUsage)
      .values({
        tenantId: sql`${sql.placeholder("tenantId")}`,
        users: sql`(select count(*) from ${users} where ${users.id} = ${sql.placeholder("userId")} and ${users.lastEventId} = ${sql.placeholder("eventId")})`,
      })
      .onConflictDoUpdate({ target: tenantUsage.tenantId, set: { users: sql`${tenantUsage.users} + excluded.${sql.identifier(tenantUsage.users.name)}` } }),
  ),
  // Before the DELETE ... WHERE version = v, under the same condition: -1 only if that delete will apply.
  countDeleted: template(
    db.$client,
    db
      .update(tenantUsage)
      .set({ users: sql`max(${tenantUsage.users} - 1, 0)` })
      .where(
        and(
          eq(tenantUsage.tenantId, sql.placeholder("tenantId")),
          sql`exists (select 1 from ${users} where ${users.tenantId} = ${sql.placeholder("tenantId")} and ${users.id} = ${sql.placeholder("userId")} and ${users.version} = ${sql.placeholder("version")})`,
          unfenced(sql.placeholder("tenantId")),
        ),
      ),
  ),
}));

/** In a create's batch, after its insertUserWithinQuota: counts the user if it was inserted. */
export const countCreatedUser = (db: Db, tenantId: string, userId: string, eventId: string) => templates(db).countCreated({ tenantId, userId, eventId });

/** In a delete's batch, before its deleteUserIfVersion: counts the user out if it is still at `version`. */
export const countDeletedUser = (db: Db, tenantId: string, userId: string, version: number) => templates(db).countDeleted({ tenantId, userId, version });
