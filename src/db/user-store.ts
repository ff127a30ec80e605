// Reads of users, and the bound write statements that use cases put into one batch with their change
// event. Every statement is scoped by tenant; conditions that guard concurrency live in the SQL.
import { and, asc, eq, getTableColumns, sql, type SQL } from "drizzle-orm";
import type { Db } from "./client.ts";
import { readGuarded } from "./storage-errors.ts";
import { unfenced } from "./fence-store.ts";
import { oncePer } from "./once-per.ts";
import { columnPlaceholders, columnValues, template } from "./prepared.ts";
import { tenantUsage, users, type UserRow } from "./schema.ts";

/** One conjunct of a lookup; the use case has already canonicalised the mobile number. */
/** Each is served by an index (storage.test.ts pins the plans); no lookup scans a tenant. */
export type UserMatch = { mobile: string } | { externalId: string } | { id: string };

function matchToSql(match: UserMatch): SQL {
  if ("mobile" in match) return eq(users.mobile, match.mobile);
  if ("externalId" in match) return eq(users.externalId, match.externalId);
  return eq(users.id, match.id);
}

/**
 * Entra's two hot lookups (by id, and its matching filter by userName), built once per Db with Drizzle's
 * prepare() and run with its placeholders filled by .all(values). The SQL is the builder's own, so the plans
 * in storage.test.ts hold.
 */
const lookups = oncePer((db: Db) => {
  const tenantId = sql.placeholder("tenantId");
  return {
    byId: db
      .select()
      .from(users)
      .where(and(eq(users.tenantId, tenantId), eq(users.id, sql.placeholder("id"))))
      .limit(1)
      .prepare(),
    byMobile: db
      .select()
      .from(users)
      .where(and(eq(users.tenantId, tenantId), eq(users.mobile, sql.placeholder("mobile"))))
      .orderBy(asc(users.id))
      .limit(sql.placeholder("limit"))
      .prepare(),
  };
});

export async function findUserById(db: Db, tenantId: string, id: string): Promise<UserRow | undefined> {
  const [row] = await readGuarded(() => lookups(db).byId.all({ tenantId, id }));
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
  const [only] = matches;
  if (matches.length === 1 && only && "mobile" in only && offset === 0 && limit > 0) {
    // Entra's matching filter: at most one row, so the page is the whole answer.
    return readGuarded(async () => {
      const rows = await lookups(db).byMobile.all({ tenantId, mobile: only.mobile, limit });
      return { total: rows.length, rows };
    });
  }
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

const USER_COLUMNS = getTableColumns(users);

/** The write statements of a user change, as templates; use cases put them in one batch with the event. */
const writes = oncePer((db: Db) => {
  // Every write also requires the tenant to be unfenced on this shard (fence-store.ts), inside its own SQL.
  const sameVersion = and(
    eq(users.tenantId, sql.placeholder("tenantId")),
    eq(users.id, sql.placeholder("id")),
    eq(users.version, sql.placeholder("expectedVersion")),
    unfenced(sql.placeholder("tenantId")),
  );
  // Every column a change may touch; tenant, id and created_at never change.
  const changing = ["userName", "mobile", "externalId", "active", "manager", "version", "lastEventId", "resource", "updatedAt"] as const;
  // INSERT ... SELECT <the row's values> WHERE <the tenant's running count> < maxUsers: the quota is decided
  // inside the insert, so concurrent creates (D1 runs one batch at a time) can never pass it together. A
  // tenant without a tenant_usage row counts as 0. "(select 1)" gives the SELECT its one row.
  const usersCounted = sql`coalesce((select ${tenantUsage.users} from ${tenantUsage} where ${tenantUsage.tenantId} = ${sql.placeholder("tenantId")}), 0)`;
  return {
    insertWithinQuota: template(
      db.$client,
      db
        .insert(users)
        .select(db.select(columnPlaceholders(USER_COLUMNS)).from(sql`(select 1)`).where(sql`${usersCounted} < ${sql.placeholder("maxUsers")} and ${unfenced(sql.placeholder("tenantId"))}`) as never),
      USER_COLUMNS,
    ),
    update: template(db.$client, db.update(users).set(columnPlaceholders(USER_COLUMNS, changing)).where(sameVersion), USER_COLUMNS),
    remove: template(db.$client, db.delete(users).where(sameVersion)),
  };
});

/** Inserts the user only while the tenant has fewer than `maxUsers` (its running count in tenant_usage). */
export const insertUserWithinQuota = (db: Db, row: UserRow, maxUsers: number) =>
  writes(db).insertWithinQuota({ ...columnValues(USER_COLUMNS, row), maxUsers });

/** Applies only if nobody wrote the user since `expectedVersion` was read. */
export const updateUserIfVersion = (db: Db, row: UserRow, expectedVersion: number) =>
  writes(db).update({ ...columnValues(USER_COLUMNS, row), expectedVersion });

export const deleteUserIfVersion = (db: Db, tenantId: string, id: string, expectedVersion: number) =>
  writes(db).remove({ tenantId, id, expectedVersion });
