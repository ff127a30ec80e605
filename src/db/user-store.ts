// Reads of users, and unexecuted write builders that use cases put into one db.batch with their change
// event. Every statement is scoped by tenant; conditions that guard concurrency live in the SQL.
import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "./client.ts";
import { readGuarded } from "./errors.ts";
import { users, type NewUserRow, type UserRow } from "./schema.ts";

/** One conjunct of a lookup; the use case has already canonicalised the mobile number. */
export type UserMatch =
  | { mobile: string }
  | { externalId: string }
  | { id: string }
  | { active: boolean }
  | { displayName: string };

function matchToSql(match: UserMatch): SQL {
  if ("mobile" in match) return eq(users.mobile, match.mobile);
  if ("externalId" in match) return eq(users.externalId, match.externalId);
  if ("id" in match) return eq(users.id, match.id);
  if ("active" in match) return eq(users.active, match.active);
  return sql`lower(json_extract(${users.resource}, '$.displayName')) = lower(${match.displayName})`;
}

export async function findUserById(db: Db, tenantId: string, id: string): Promise<UserRow | undefined> {
  const [row] = await readGuarded(() =>
    db
      .select()
      .from(users)
      .where(and(eq(users.tenantId, tenantId), eq(users.id, id)))
      .limit(1),
  );
  return row;
}

/**
 * A page in stable id order and the total. Entra's lookups name a unique key (the mobile number or the
 * id), so at most one row can match: one plain indexed SELECT answers both. Other listings run the count
 * and the page as one db.batch (one round trip); a window count over the page query would make SQLite
 * sort the whole match set in a temporary B-tree.
 */
export function findUsers(
  db: Db,
  tenantId: string,
  matches: UserMatch[],
  offset: number,
  limit: number,
): Promise<{ total: number; rows: UserRow[] }> {
  const { count, page } = userQueries(db, tenantId, matches, offset, limit);
  return readGuarded(async () => {
    if (limit === 0) return { total: (await count)[0]?.total ?? 0, rows: [] };
    if (offset === 0 && matches.some((m) => "mobile" in m || "id" in m)) {
      const rows = await page;
      return { total: rows.length, rows };
    }
    const [[counted], rows] = await db.batch([count, page]);
    return { total: counted?.total ?? 0, rows };
  });
}

/** The statements findUsers runs, unexecuted (tests read their query plans). */
export function userQueries(db: Db, tenantId: string, matches: UserMatch[], offset: number, limit: number) {
  const where = and(eq(users.tenantId, tenantId), ...matches.map(matchToSql));
  return {
    count: db.select({ total: sql<number>`count(*)` }).from(users).where(where),
    page: db.select().from(users).where(where).orderBy(asc(users.id)).limit(limit).offset(offset),
  };
}

export const insertUser = (db: Db, row: NewUserRow) => db.insert(users).values(row);

/** Applies only if nobody wrote the user since `expectedVersion` was read. */
export const updateUserIfVersion = (db: Db, row: UserRow, expectedVersion: number) =>
  db
    .update(users)
    .set({
      userName: row.userName,
      mobile: row.mobile,
      externalId: row.externalId,
      active: row.active,
      manager: row.manager,
      version: row.version,
      lastEventId: row.lastEventId,
      resource: row.resource,
      updatedAt: row.updatedAt,
    })
    .where(and(eq(users.tenantId, row.tenantId), eq(users.id, row.id), eq(users.version, expectedVersion)));

export const deleteUserIfVersion = (db: Db, tenantId: string, id: string, expectedVersion: number) =>
  db.delete(users).where(and(eq(users.tenantId, tenantId), eq(users.id, id), eq(users.version, expectedVersion)));
