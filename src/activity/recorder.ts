// The per-isolate side of a tenant's activity (issue 14 §1): every request a tenant makes is added to an
// aggregate kept in memory per database, and the aggregate is handed out to be written (store.ts, one
// statement, after the response) only now and then:
//   - when it holds FLUSH_EVERY_REQUESTS requests (a busy tenant costs one statement per 100 requests);
//   - when its oldest request is FLUSH_AFTER_MS old (checked at the next request to that database);
//   - at once, when a tenant's last write from this isolate is older than a minute (or there is none): so
//     the probe of a small tenant, which sends a probe and a few lookups per cycle, is on record even if
//     the isolate is evicted right after. Its next requests within the minute wait for the count or the
//     age rule; an isolate evicted before either loses them (at most about 30 s of that isolate's counts).
// Pure but for its own memory: the clock comes in with each request, and nothing here touches storage.
import type { Outcome, RouteKind } from "./vocabulary.ts";
import { bucketOf, MAX_REFUSALS } from "./vocabulary.ts";

export const FLUSH_EVERY_REQUESTS = 100;
export const FLUSH_AFTER_MS = 30_000;
/** A tenant not written for this long is written with its next request. */
export const TENANT_FLUSH_MS = 60_000;
/** Tenants whose last write time is remembered; past it the memory starts again (their next request flushes). */
const MAX_TRACKED_TENANTS = 10_000;

/** One request, classified (http/activity.ts). */
export type ActivityEntry = {
  tenantId: string;
  at: number;
  kind: RouteKind;
  outcome: Outcome;
  /** Present for an answer other than 2xx: what the admin saw, already masked. */
  refusal?: { requestId: string; status: number; scimType: string | null; reason: string | null; detail: string; sent: string | null };
};

/** A count row: tenant, bucket, kind, outcome, how many, the last one's time (ISO). */
export type CountRow = [tenantId: string, bucket: string, kind: string, outcome: string, count: number, lastAt: string];
/** A refusal row: tenant, request id, time (ISO), kind, status, scimType, reason, detail, sent. */
export type RefusalRow = [string, string, string, string, number, string | null, string | null, string, string | null];

/** What one flush writes: the rows of every tenant of one database that the isolate has not written yet. */
export type ActivityBatch = { counts: CountRow[]; refusals: RefusalRow[]; requests: number; tenants: number };

type Aggregate = {
  counts: Map<string, { row: CountRow; lastMs: number }>;
  /** Per tenant, its newest refusals (older ones would be trimmed by the store anyway). */
  refusals: Map<string, RefusalRow[]>;
  requests: number;
  oldestAt: number;
};

export type Recorder = {
  /** Adds a request to the aggregate of `database`; answers the batch to write now, if this request makes one due. */
  record(database: object, entry: ActivityEntry): ActivityBatch | undefined;
};

export function createRecorder(): Recorder {
  // Keyed by the database handle, which the runtime keeps for the isolate (db/once-per.ts); weakly, so a
  // handle that did change would take its aggregate with it rather than pile up.
  const aggregates = new WeakMap<object, Aggregate>();
  let lastWritten = new Map<string, number>();

  const take = (database: object, aggregate: Aggregate, at: number): ActivityBatch => {
    aggregates.delete(database);
    const tenants = new Set<string>();
    const counts = [...aggregate.counts.values()].map(({ row, lastMs }) => {
      tenants.add(row[0]);
      return [row[0], row[1], row[2], row[3], row[4], new Date(lastMs).toISOString()] as CountRow;
    });
    if (lastWritten.size + tenants.size > MAX_TRACKED_TENANTS) lastWritten = new Map();
    for (const tenant of tenants) lastWritten.set(tenant, at);
    return { counts, refusals: [...aggregate.refusals.values()].flat(), requests: aggregate.requests, tenants: tenants.size };
  };

  return {
    record(database, entry) {
      let aggregate = aggregates.get(database);
      if (!aggregate) {
        aggregate = { counts: new Map(), refusals: new Map(), requests: 0, oldestAt: entry.at };
        aggregates.set(database, aggregate);
      }
      const bucket = bucketOf(entry.at, entry.outcome);
      const key = `${entry.tenantId}|${bucket}|${entry.kind}|${entry.outcome}`;
      const counted = aggregate.counts.get(key);
      if (counted) {
        counted.row[4]++;
        if (entry.at > counted.lastMs) counted.lastMs = entry.at;
      } else {
        aggregate.counts.set(key, { row: [entry.tenantId, bucket, entry.kind, entry.outcome, 1, ""], lastMs: entry.at });
      }
      if (entry.refusal) {
        const r = entry.refusal;
        const kept = aggregate.refusals.get(entry.tenantId) ?? [];
        kept.push([entry.tenantId, r.requestId, new Date(entry.at).toISOString(), entry.kind, r.status, r.scimType, r.reason, r.detail, r.sent]);
        if (kept.length > MAX_REFUSALS) kept.shift();
        aggregate.refusals.set(entry.tenantId, kept);
      }
      aggregate.requests++;
      if (entry.at < aggregate.oldestAt) aggregate.oldestAt = entry.at;

      const written = lastWritten.get(entry.tenantId);
      const due =
        aggregate.requests >= FLUSH_EVERY_REQUESTS ||
        entry.at - aggregate.oldestAt >= FLUSH_AFTER_MS ||
        written === undefined ||
        entry.at - written >= TENANT_FLUSH_MS;
      return due ? take(database, aggregate, entry.at) : undefined;
    },
  };
}
