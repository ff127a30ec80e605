// The whole D1 schema, in one file; drizzle-kit generates migrations/ from it.
//
// users keeps the full SCIM resource as accepted (JSON) plus the columns Entra's lookups need, each served
// by one index: (tenant_id, mobile) unique for userName, (tenant_id, external_id, id) for externalId, the
// primary key for id, (tenant_id, id) for stable paging. `mobile` is the canonical number (digits only,
// country code first); since it is digits only it also serves as the case-insensitive userName key.
//
// change_events is the outbox: every write inserts its event row in the same db.batch as the user row, so
// an acknowledged change can never be lost between D1 and the queue.
//
// tenant_usage holds each tenant's running count of users, kept in the same batch as every create and delete,
// so a create can be refused at the tenant's quota (its allow-list record's maxUsers) by one indexed read
// inside its own INSERT instead of a count(*) over the tenant (issue 11 §3). A tenant without a row has 0.
//
// delivery_cursors holds, per user, the highest version the TeleMessage core has accepted. Queues do not keep
// order, so the consumer skips any event at or below it (a later full-state event already superseded it),
// and advances it only upwards (a conditional upsert), so the core never sees a user go backwards.
//
// tenant_fences (issue 15 §3) holds a row for a tenant whose users are being moved between shards, in the
// shard it is moving out of and the one it is moving into: every user write of the tenant checks, inside its
// own SQL, that no row is there (src/db/fence-store.ts), so no write lands on either side while the move
// copies, flips the allow-list record and waits for every Worker to see it. The row stays in the source after
// the move ('moved'), so a write from a Worker still holding the old record is refused there, never lost.
//
// tenant_moves is the state of each move between shards (src/tools/tenants/move/), kept in the FIRST
// database only (the control plane; every shard has the table, as every shard has the same schema), so a
// move interrupted at any step can be re-run to finish or roll back.
//
// tenant_activity_counts and tenant_refusals are what each tenant's provisioning looked like (issue 14 §1),
// written off the hot path by src/activity/ and read back by src/activity/read-model.ts; they live beside
// the tenant's users, in the database deps.database gives for the tenant, so they move with it.
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { CHANGE_TYPES, type CoreEvent } from "../core-event.ts";

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    userName: text("user_name").notNull(),
    mobile: text("mobile").notNull(),
    externalId: text("external_id"),
    active: integer("active", { mode: "boolean" }).notNull(),
    manager: text("manager"),
    version: integer("version").notNull(),
    /** The event that wrote this version: lets a batch insert the event only if its update applied. */
    lastEventId: text("last_event_id").notNull(),
    resource: text("resource", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("users_tenant_mobile").on(t.tenantId, t.mobile),
    // id last: rows of one externalId come out in id order, so the paged lookup never sorts and the planner
    // prefers this index over users_tenant_id.
    index("users_tenant_external_id_id").on(t.tenantId, t.externalId, t.id),
    index("users_tenant_id").on(t.tenantId, t.id),
  ],
);

export const EVENT_STATES = ["pending", "enqueued", "delivered", "failed", "skipped"] as const;
export type EventState = (typeof EVENT_STATES)[number];

export const changeEvents = sqliteTable(
  "change_events",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    userId: text("user_id").notNull(),
    type: text("type", { enum: CHANGE_TYPES }).notNull(),
    version: integer("version").notNull(),
    occurredAt: text("occurred_at").notNull(),
    /** The body posted to the TeleMessage core (full state, not a diff): the contract of src/core-event.ts. */
    payload: text("payload", { mode: "json" }).$type<CoreEvent>().notNull(),
    state: text("state", { enum: EVENT_STATES }).notNull().default("pending"),
    enqueuedAt: text("enqueued_at"),
    deliveredAt: text("delivered_at"),
    attempts: integer("attempts").notNull().default(0),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    /** When the event last became 'failed'; a dead-lettered one is re-sent an hour later (outbox cron). */
    failedAt: text("failed_at"),
    /** The request that wrote the event (its X-Request-Id); the consumer's delivery lines carry it (issue 14 §4). */
    requestId: text("request_id"),
  },
  (t) => [
    index("change_events_state_occurred").on(t.state, t.occurredAt),
    index("change_events_user_version").on(t.tenantId, t.userId, t.version),
  ],
);

export const deliveryCursors = sqliteTable(
  "delivery_cursors",
  {
    tenantId: text("tenant_id").notNull(),
    userId: text("user_id").notNull(),
    lastVersion: integer("last_version").notNull(),
    lastEventId: text("last_event_id").notNull(),
    deliveredAt: text("delivered_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.userId] })],
);

export const tenantUsage = sqliteTable("tenant_usage", {
  tenantId: text("tenant_id").primaryKey(),
  users: integer("users").notNull(),
});

export const FENCE_STATES = ["moving-out", "moving-in", "moved"] as const;

export const tenantFences = sqliteTable("tenant_fences", {
  tenantId: text("tenant_id").primaryKey(),
  state: text("state", { enum: FENCE_STATES }).notNull(),
  /** The other shard of the move: where the tenant goes (moving-out, moved) or comes from (moving-in). */
  shard: text("shard").notNull(),
  since: text("since").notNull(),
});

export const tenantMoves = sqliteTable("tenant_moves", {
  tenantId: text("tenant_id").primaryKey(),
  fromShard: text("from_shard").notNull(),
  toShard: text("to_shard").notNull(),
  /** The last step completed (src/tools/tenants/move/steps.ts MOVE_STEPS). */
  step: text("step").notNull(),
  startedAt: text("started_at").notNull(),
  updatedAt: text("updated_at").notNull(),
  /** When the allow-list record was flipped: the waits after it count from here. */
  flippedAt: text("flipped_at"),
  /** JSON: the counts and checksums verified per table. */
  verified: text("verified"),
});

/**
 * Requests per tenant, bucket, route kind and outcome (src/activity/vocabulary.ts), with the time of the last
 * one. A success ("2xx") is counted per UTC day ("2026-11-28"), anything else per UTC hour
 * ("2026-11-28T14"): a steady tenant keeps a few rows a day, while "errors in the last 24 h" stays exact
 * to the hour. Rows older than 30 days are pruned by the cron (the bucket index serves it).
 */
export const tenantActivityCounts = sqliteTable(
  "tenant_activity_counts",
  {
    tenantId: text("tenant_id").notNull(),
    bucket: text("bucket").notNull(),
    kind: text("kind").notNull(),
    outcome: text("outcome").notNull(),
    count: integer("count").notNull(),
    lastAt: text("last_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.bucket, t.kind, t.outcome] }), index("tenant_activity_counts_bucket").on(t.bucket)],
);

/**
 * The last refusals of each tenant (kept to the newest 50 by the statement after every insert): what Entra
 * showed its admin, with every phone number and e-mail masked (outbox/mask.ts). `reason` is our own code
 * where one applies (e.g. "unknown_manager") and `sent` what the request sent that the refusal is about
 * (the displayName that names no manager), masked and cut short.
 */
export const tenantRefusals = sqliteTable(
  "tenant_refusals",
  {
    tenantId: text("tenant_id").notNull(),
    requestId: text("request_id").notNull(),
    at: text("at").notNull(),
    kind: text("kind").notNull(),
    status: integer("status").notNull(),
    scimType: text("scim_type"),
    reason: text("reason"),
    detail: text("detail").notNull(),
    sent: text("sent"),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.requestId] }), index("tenant_refusals_tenant_at").on(t.tenantId, t.at)],
);

export type UserRow = typeof users.$inferSelect;
export type NewUserRow = typeof users.$inferInsert;
export type ChangeEventRow = typeof changeEvents.$inferSelect;
export type NewChangeEventRow = typeof changeEvents.$inferInsert;

// The control plane (issue 14 §3): the allow-list as edited, with its history. It lives in the FIRST
// database only (Deps.controlPlane), never in a tenant's. KV stays what the SCIM path reads; these tables
// serialise edits (KV has no conditional write) and remember who changed what.
//
// tenant_records holds each tenant's latest record and its version. An edit is recorded only if the version
// it was based on is still the latest: one conditional UPDATE (... WHERE version = base), or for a tenant
// never recorded, an INSERT that does nothing when the row exists. The edit's audit row is inserted in the
// same batch and only if that statement applied (its id is the row's new last_audit_id), as a user's change
// event is. published_version says which version KV is known to hold; the cron publishes any row behind.
export const tenantRecords = sqliteTable("tenant_records", {
  tenantId: text("tenant_id").primaryKey(),
  /** The record as JSON text, exactly what is put into KV (src/tenants/record.ts); null once removed. */
  record: text("record"),
  version: integer("version").notNull(),
  lastAuditId: text("last_audit_id").notNull(),
  updatedAt: text("updated_at").notNull(),
  /** The highest version known to be in KV; below `version`, the publish is pending or failed. */
  publishedVersion: integer("published_version").notNull().default(0),
});

/** Where a change came from. */
export const AUDIT_SOURCES = ["console", "cli"] as const;

export const tenantAudit = sqliteTable(
  "tenant_audit",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    /** The record version this change produced; one entry per version. */
    version: integer("version").notNull(),
    at: text("at").notNull(),
    /** Who: the Cloudflare Access e-mail (console), `wrangler whoami`'s e-mail or TENANTS_ACTOR (CLI). */
    actor: text("actor").notNull(),
    source: text("source", { enum: AUDIT_SOURCES }).notNull(),
    /** The command's action (commands.ts TenantAction). */
    action: text("action").notNull(),
    /** Field by field, [{ field, from, to }] (commands.ts FieldChange); a token only as its hash's prefix. */
    changes: text("changes").notNull(),
    reason: text("reason"),
    /** When KV was seen to hold this version or a later one. */
    publishedAt: text("published_at"),
    publishAttempts: integer("publish_attempts").notNull().default(0),
    /** The last failed publish: when, and what KV (or wrangler) said. */
    publishFailedAt: text("publish_failed_at"),
    publishError: text("publish_error"),
  },
  (t) => [uniqueIndex("tenant_audit_tenant_version").on(t.tenantId, t.version)],
);
