// Bulk load for the bench: users shaped exactly like rows the gateway writes (a template row is created
// through the real POST first and copied), inserted as multi-row INSERTs in batches so 100,000 rows take
// seconds. Ids and numbers are deterministic, so the load generator can address any seeded user.
import type { Side } from "./workers.ts";

type Db = Side["db"];

export type UserTemplate = {
  resource: Record<string, unknown>;
  manager: string | null;
  createdAt: string;
};

/** Tenant ids are GUIDs; the bench's are recognisable and fixed. */
export const benchTenantId = (n: number): string => `be7c0000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

/** The id of the i-th user of a seeded group: a UUID whose first block names the group. */
export const userId = (group: number, i: number): string =>
  `${(0xa0000000 + group).toString(16)}-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;

/** A possible US mobile number (11 digits, country code 1); `series` keeps groups apart. */
export const mobile = (series: number, i: number): string => `1${series}${i.toString().padStart(9, "0")}`;

export const SEEDED_SERIES = 2;
export const CREATED_SERIES = 3;
export const DELETE_POOL_SERIES = 4;

// D1 caps one statement at 100 KB of SQL; rows are added to a statement until it nears that.
const MAX_STATEMENT_BYTES = 90_000;
const INSERT_USERS =
  "INSERT INTO users (id, tenant_id, user_name, mobile, external_id, active, manager, version, last_event_id, resource, created_at, updated_at) VALUES ";
const STATEMENTS_PER_BATCH = 50;

const quote = (value: string | null): string => (value === null ? "NULL" : `'${value.replaceAll("'", "''")}'`);

/** Inserts users [from, from + count) of a group into a tenant. Returns the milliseconds it took. */
export async function seedUsers(
  db: Db,
  template: UserTemplate,
  options: { tenantId: string; group: number; series: number; from?: number; count: number },
): Promise<number> {
  const started = performance.now();
  const from = options.from ?? 0;
  const statements: string[] = [];
  let values: string[] = [];
  let bytes = 0;
  const flush = () => {
    if (values.length > 0) statements.push(`${INSERT_USERS}${values.join(",")}`);
    values = [];
    bytes = 0;
  };
  for (let i = from; i < from + options.count; i++) {
    const number = mobile(options.series, i);
    const id = userId(options.group, i);
    const resource = JSON.stringify({ ...template.resource, userName: number, externalId: number });
    const row = `(${[
      quote(id),
      quote(options.tenantId),
      quote(number),
      quote(number),
      quote(number),
      "1",
      quote(template.manager),
      "1",
      quote(`${id.slice(0, 8)}-e000-4000-8000-${id.slice(-12)}`),
      quote(resource),
      quote(template.createdAt),
      quote(template.createdAt),
    ].join(",")})`;
    if (bytes + row.length > MAX_STATEMENT_BYTES) flush();
    values.push(row);
    bytes += row.length + 1;
  }
  flush();
  for (let i = 0; i < statements.length; i += STATEMENTS_PER_BATCH) {
    await db.batch(statements.slice(i, i + STATEMENTS_PER_BATCH).map((sql) => db.prepare(sql)));
  }
  return performance.now() - started;
}

/** The stored shape of a user the gateway created, to copy into every seeded row. */
export async function readTemplate(db: Db, id: string): Promise<UserTemplate> {
  const row = await db
    .prepare("SELECT resource, manager, created_at AS createdAt FROM users WHERE id = ?")
    .bind(id)
    .first<{ resource: string; manager: string | null; createdAt: string }>();
  if (!row) throw new Error(`the template user ${id} was not stored`);
  return { resource: JSON.parse(row.resource) as Record<string, unknown>, manager: row.manager, createdAt: row.createdAt };
}
