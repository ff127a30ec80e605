// The storage floor the gateway is measured against: a Worker that does the same D1 and queue work for
// each request and nothing else. No token (the tenant comes in a header), no allow-list read, no rate
// limit, no validation, no SCIM rendering: the stored resource text is echoed as is. Each statement is the
// very SQL the gateway's Drizzle queries produce (the bench's statement pass checks that they match), run
// the same way: lookups with raw(), writes in one db.batch, and after the response the outbox relay's
// queue send plus its UPDATE (waitUntil), as the gateway does.

const USER_COLUMNS =
  '"id", "tenant_id", "user_name", "mobile", "external_id", "active", "manager", "version", "last_event_id", "resource", "created_at", "updated_at"';
const EVENT_COLUMNS =
  '"id", "tenant_id", "user_id", "type", "version", "occurred_at", "payload", "state", "enqueued_at", "delivered_at", "attempts", "last_status", "last_error", "failed_at", "request_id"';

export const SQL = {
  byMobile: `select ${USER_COLUMNS} from "users" where ("users"."tenant_id" = ? and "users"."mobile" = ?) order by "users"."id" asc limit ?`,
  byId: `select ${USER_COLUMNS} from "users" where ("users"."tenant_id" = ? and "users"."id" = ?) limit ?`,
  count: 'select count(*) from "users" where "users"."tenant_id" = ?',
  firstPage: `select ${USER_COLUMNS} from "users" where "users"."tenant_id" = ? order by "users"."id" asc limit ?`,
  page: `select ${USER_COLUMNS} from "users" where "users"."tenant_id" = ? order by "users"."id" asc limit ? offset ?`,
  insertUserWithinQuota: `insert into "users" (${USER_COLUMNS}) select ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? from (select 1) where coalesce((select "tenant_usage"."users" from "tenant_usage" where "tenant_usage"."tenant_id" = ?), 0) < ?`,
  countCreated:
    'insert into "tenant_usage" ("tenant_id", "users") values (?, (select count(*) from "users" where "users"."id" = ? and "users"."last_event_id" = ?)) on conflict ("tenant_usage"."tenant_id") do update set "users" = "tenant_usage"."users" + excluded."users"',
  countDeleted:
    'update "tenant_usage" set "users" = max("tenant_usage"."users" - 1, 0) where ("tenant_usage"."tenant_id" = ? and exists (select 1 from "users" where "users"."tenant_id" = ? and "users"."id" = ? and "users"."version" = ?))',
  updateUser:
    'update "users" set "user_name" = ?, "mobile" = ?, "external_id" = ?, "active" = ?, "manager" = ?, "version" = ?, "last_event_id" = ?, "resource" = ?, "updated_at" = ? where ("users"."tenant_id" = ? and "users"."id" = ? and "users"."version" = ?)',
  insertEventIfWritten: `insert into "change_events" (${EVENT_COLUMNS}) select ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? from "users" where "users"."tenant_id" = ? AND "users"."id" = ? AND "users"."last_event_id" = ? limit ?`,
  insertEventIfAtVersion: `insert into "change_events" (${EVENT_COLUMNS}) select ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? from "users" where "users"."tenant_id" = ? AND "users"."id" = ? AND "users"."version" = ? limit ?`,
  deleteUser: 'delete from "users" where ("users"."tenant_id" = ? and "users"."id" = ? and "users"."version" = ?)',
  pruneUserSettled:
    'delete from "change_events" where ("change_events"."tenant_id" = ? and "change_events"."user_id" = ? and "change_events"."state" in (?, ?) and "change_events"."version" <= ?)',
  pruneGoneUserSettled:
    'delete from "change_events" where ("change_events"."tenant_id" = ? and "change_events"."user_id" = ? and "change_events"."state" in (?, ?) and NOT EXISTS (SELECT 1 FROM "users" WHERE "users"."tenant_id" = ? AND "users"."id" = ?))',
  markEnqueued:
    'update "change_events" set "state" = ?, "enqueued_at" = ? where ("change_events"."id" in (?) and ("change_events"."state" in (?, ?) or ("change_events"."state" = ? and "change_events"."last_error" like ?)))',
};

type Row = [string, string, string, string, string | null, number, string | null, number, string, string, string, string];

const json = (body: string, status = 200) => new Response(body, { status, headers: { "content-type": "application/scim+json" } });
const listOf = (rows: Row[]) => json(`{"totalResults":${rows.length},"Resources":[${rows.map((r) => r[9]).join(",")}]}`);
const EMPTY_LIST = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}';

/** The relay's work after a write: one queue message, then the event row marked enqueued. */
function relay(env: Env, ctx: ExecutionContext, eventId: string, payload: string): void {
  ctx.waitUntil(
    (async () => {
      await env.CHANGES.sendBatch([{ body: JSON.parse(payload), contentType: "json" }]);
      await env.DB.batch([env.DB.prepare(SQL.markEnqueued).bind("enqueued", new Date().toISOString(), eventId, "pending", "enqueued", "failed", "retries exhausted%")]);
    })(),
  );
}

/** An event payload of the size the gateway writes (the full user state). */
const payloadOf = (eventId: string, type: string, tenantId: string, userId: string, mobile: string, version: number, active: boolean, at: string) =>
  JSON.stringify({
    schemaVersion: 1,
    eventId,
    type,
    occurredAt: at,
    tenantId,
    accountId: "TM-BENCH",
    manager: "Ann Manager",
    userId,
    mobile,
    version,
    user: { userName: mobile, externalId: mobile, active, deleted: type === "user.deleted", displayName: "Ann Manager", givenName: "Ann", familyName: "Lee", formattedName: "Ann Lee", workEmail: "ann.lee@contoso.example" },
  });

async function byId(env: Env, tenantId: string, id: string): Promise<Row | undefined> {
  const [row] = await env.DB.prepare(SQL.byId).bind(tenantId, id, 1).raw<Row>();
  return row;
}

async function write(env: Env, ctx: ExecutionContext, tenantId: string, id: string, method: string, body: string): Promise<Response> {
  const current = await byId(env, tenantId, id);
  if (!current) return json("{}", 404);
  const at = new Date().toISOString();
  const eventId = crypto.randomUUID();
  const version = current[7];
  if (method === "DELETE") {
    const payload = payloadOf(eventId, "user.deleted", tenantId, id, current[3], version + 1, false, at);
    await env.DB.batch([
      env.DB.prepare(SQL.insertEventIfAtVersion).bind(eventId, tenantId, id, "user.deleted", version + 1, at, payload, "pending", null, null, 0, null, null, null, crypto.randomUUID(), tenantId, id, version, 1),
      env.DB.prepare(SQL.countDeleted).bind(tenantId, tenantId, id, version),
      env.DB.prepare(SQL.deleteUser).bind(tenantId, id, version),
      env.DB.prepare(SQL.pruneGoneUserSettled).bind(tenantId, id, "delivered", "skipped", tenantId, id),
    ]);
    relay(env, ctx, eventId, payload);
    return new Response(null, { status: 204 });
  }
  const active = !/"value"\s*:\s*"?false/i.test(body);
  const payload = payloadOf(eventId, "user.updated", tenantId, id, current[3], version + 1, active, at);
  await env.DB.batch([
    env.DB.prepare(SQL.updateUser).bind(current[2], current[3], current[4], active ? 1 : 0, current[6], version + 1, eventId, current[9], at, tenantId, id, version),
    env.DB.prepare(SQL.insertEventIfWritten).bind(eventId, tenantId, id, "user.updated", version + 1, at, payload, "pending", null, null, 0, null, null, null, crypto.randomUUID(), tenantId, id, eventId, 1),
    // As the gateway: a user keeps its latest four settled events (SETTLED_EVENTS_KEPT_PER_USER).
    env.DB.prepare(SQL.pruneUserSettled).bind(tenantId, id, version + 1 - 4, "delivered", "skipped"),
  ]);
  relay(env, ctx, eventId, payload);
  return json(current[9]);
}

async function create(env: Env, ctx: ExecutionContext, tenantId: string, body: string): Promise<Response> {
  const mobile = String((JSON.parse(body) as { userName: unknown }).userName);
  const at = new Date().toISOString();
  const id = crypto.randomUUID();
  const eventId = crypto.randomUUID();
  const payload = payloadOf(eventId, "user.created", tenantId, id, mobile, 1, true, at);
  // The tenant's quota is decided inside the insert, against its running count (issue 11 §3), as the gateway does.
  await env.DB.batch([
    env.DB.prepare(SQL.insertUserWithinQuota).bind(id, tenantId, mobile, mobile, mobile, 1, "Ann Manager", 1, eventId, body, at, at, tenantId, 250_000),
    env.DB.prepare(SQL.insertEventIfWritten).bind(eventId, tenantId, id, "user.created", 1, at, payload, "pending", null, null, 0, null, null, null, crypto.randomUUID(), tenantId, id, eventId, 1),
    env.DB.prepare(SQL.countCreated).bind(tenantId, id, eventId),
  ]);
  relay(env, ctx, eventId, payload);
  return json(body, 201);
}

async function list(env: Env, tenantId: string, url: URL): Promise<Response> {
  const filter = url.searchParams.get("filter");
  if (filter !== null) {
    const value = /^userName eq "(.*)"$/.exec(filter)?.[1] ?? "";
    // Like the gateway, a value that cannot be a mobile number (Test Connection's GUID) reads nothing.
    if (!/^\d+$/.test(value)) return json(EMPTY_LIST);
    return listOf(await env.DB.prepare(SQL.byMobile).bind(tenantId, value, 100).raw<Row>());
  }
  const offset = Math.max(1, Number(url.searchParams.get("startIndex") ?? 1)) - 1;
  const count = Number(url.searchParams.get("count") ?? 100);
  const page = offset === 0 ? env.DB.prepare(SQL.firstPage).bind(tenantId, count) : env.DB.prepare(SQL.page).bind(tenantId, count, offset);
  // Like the gateway: the total and the page in one batch (one round trip).
  const [counted, rows] = await env.DB.batch<Record<string, unknown>>([env.DB.prepare(SQL.count).bind(tenantId), page]);
  const resources = (rows?.results ?? []).map((r) => r.resource).join(",");
  return json(`{"totalResults":${counted?.results[0]?.["count(*)"] ?? 0},"Resources":[${resources}]}`);
}

export async function handleBaseline(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  const tenantId = request.headers.get("x-bench-tenant") ?? "";
  const id = /^\/scim\/v2\/Users\/([^/]+)$/.exec(url.pathname)?.[1];
  if (id !== undefined) {
    if (request.method === "GET") {
      const row = await byId(env, tenantId, id);
      return row ? json(row[9]) : json("{}", 404);
    }
    return write(env, ctx, tenantId, id, request.method, await request.text());
  }
  if (url.pathname === "/scim/v2/Users") {
    return request.method === "POST" ? create(env, ctx, tenantId, await request.text()) : list(env, tenantId, url);
  }
  return json("{}", 404);
}

export default { fetch: handleBaseline } satisfies ExportedHandler<Env>;
