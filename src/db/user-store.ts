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

/** One statement: the page in stable id order, with the total from a window count. */
export function findUsers(
  db: Db,
  tenantId: string,
  matches: UserMatch[],
  offset: number,
  limit: number,
): Promise<{ total: number; rows: UserRow[] }> {
  const where = and(eq(users.tenantId, tenantId), ...matches.map(matchToSql));
  const countOnly = async () => {
    const [count] = await db.select({ total: sql<number>`count(*)` }).from(users).where(where);
    return { total: count?.total ?? 0, rows: [] };
  };
  return readGuarded(async () => {
    if (limit === 0) return countOnly();
    const page = await db
      .select({ user: users, total: sql<number>`count(*) over ()` })
      .from(users)
      .where(where)
      .orderBy(asc(users.id))
      .limit(limit)
      .offset(offset);
    // Past the last match the window has no row to carry the total; only then is a second query needed.
    if (page.length === 0 && offset > 0) return countOnly();
    return { total: page[0]?.total ?? 0, rows: page.map((p) => p.user) };
  });
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
