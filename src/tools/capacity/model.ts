// The capacity model (issue 15 §1): how many tenants and users one D1 database holds, the load an initial
// cycle puts on it, and the rule for when another database (a shard) is needed. Pure: the measured inputs
// (measured.json, written by `npm run capacity:measure`) and the policy (wrangler.toml's figures, read by
// policy.ts) come in; figures go out, and doc.ts renders them into docs/capacity.md. The tenants CLI places
// a new tenant by the same rule (placeTenant below), so the document and the tool cannot disagree.
import { DEFAULT_MAX_USERS } from "../../tenants/record.ts";
import { MAX_STORED_BYTES } from "../../users/resource-cap.ts";

export const MEASURED_PATH = "src/tools/capacity/measured.json";
export const CAPACITY_DOC_PATH = "docs/capacity.md";

/** A request kind's cost as measured on the local D1: D1's own SQL time, statements, rows read. */
export type RequestCost = { d1Ms: number; statements: number; rowsRead: number };

export type MeasuredInputs = {
  command: string;
  date: string;
  machine: string;
  where: string;
  /** The tenant the requests ran against. */
  seededUsers: number;
  /** Requests of each kind measured. */
  samples: number;
  /** Bulk-loaded rows, inserted in id order: a lower bound on what a user row takes. */
  seededBytesPerUser: number;
  bytes: {
    /** A user created through the use case (random id, as in production) with its create event. */
    userWithCreateEvent: number;
    /** One change event (a PATCH's growth: its event; the user row is rewritten in place). */
    event: number;
    user: number;
    /** A user whose stored resource is at the 8 KiB cap. */
    userAtCap: number;
    /** One user's delivery cursor. */
    cursor: number;
  };
  requests: Record<"probe" | "lookup" | "get" | "create" | "patch" | "disable" | "delete" | "relay" | "delivery", RequestCost>;
};

/** What wrangler.toml sets (policy.ts reads it). */
export type Policy = { retentionDays: number; tenantRequestsPerSecond: number };

/**
 * Cloudflare's published figures (https://developers.cloudflare.com/d1/platform/limits/, "Limits" and
 * "How much work can a D1 database do?"). Not measured here.
 */
export const CLOUDFLARE = {
  /** "Maximum database size: 10 GB (Workers Paid)". Counted as 10^10 bytes. */
  databaseBytes: 10 * 1000 ** 3,
  /** "each individual D1 database is inherently single-threaded ... If your average query takes 1 ms, you can run approximately 1,000 queries per second." */
  msPerQuery: 1,
  /** "Maximum bindings per Workers script: approximately 5,000". */
  bindingsPerWorker: 5_000,
  /** "Databases per account: 50,000 (Workers Paid)". */
  databasesPerAccount: 50_000,
} as const;

/** Our own choices, each with its reason in the document. */
export const CHOICES = {
  /** A shard is full at half of Cloudflare's limit: room for its tenants to grow, and to take a tenant moved in. */
  fillTarget: 0.5,
  /** A database may spend at most half of its time on SQL, so queries rarely queue behind each other. */
  busyBudget: 0.5,
  /** The largest customer TeleMessage expects (issue 15). */
  largestTenantUsers: 100_000,
  /**
   * Change events per user per month. ASSUMED, not measured: a sync cycle every 40 minutes writes an event
   * only for a user whose attributes changed (a PATCH that changes nothing writes nothing), so this counts
   * joiners, leavers, renames and manager moves. 4 is generous; the document shows 1 and 40 beside it.
   */
  eventsPerUserPerMonth: 4,
} as const;

const DAYS_PER_MONTH = 30;

export type CapacityFigures = ReturnType<typeof capacityFigures>;

/** Every figure of the document, from the inputs. */
export function capacityFigures(measured: MeasuredInputs, policy: Policy, eventsPerUserPerMonth: number = CHOICES.eventsPerUserPerMonth) {
  const { bytes, requests } = measured;
  // Settled events are pruned after the retention; until then a user holds the events of that many days.
  const eventsKept = eventsPerUserPerMonth * (policy.retentionDays / DAYS_PER_MONTH);
  const userBytes = bytes.user + eventsKept * bytes.event + bytes.cursor;
  const userAtCapBytes = bytes.userAtCap + eventsKept * bytes.event + bytes.cursor;
  const targetBytes = CLOUDFLARE.databaseBytes * CHOICES.fillTarget;

  // The D1 work one user's initial cycle causes: Entra's lookup, the create, then the relay's mark and the
  // consumer's read and record of its event.
  const local = (kinds: (keyof MeasuredInputs["requests"])[]) => kinds.reduce((sum, k) => sum + requests[k].d1Ms, 0);
  const cloudflare = (kinds: (keyof MeasuredInputs["requests"])[]) => kinds.reduce((sum, k) => sum + requests[k].statements * CLOUDFLARE.msPerQuery, 0);
  const perInitialUser = ["lookup", "create", "relay", "delivery"] as (keyof MeasuredInputs["requests"])[];
  const initial = (msPerUser: number) => {
    const users = CHOICES.largestTenantUsers;
    const requestsTotal = 2 * users; // a lookup and a create per user
    const seconds = requestsTotal / policy.tenantRequestsPerSecond; // paced by the per-tenant rate limit
    const d1Seconds = (users * msPerUser) / 1000;
    const busy = d1Seconds / seconds;
    return { requests: requestsTotal, seconds, d1Seconds, busy, concurrent: Math.floor(CHOICES.busyBudget / busy) };
  };

  return {
    bytes,
    eventsPerUserPerMonth,
    eventsKept,
    userBytes,
    userAtCapBytes,
    targetBytes,
    tenantBytes: (users: number, atCap = false) => users * (atCap ? userAtCapBytes : userBytes),
    usersPerShard: Math.floor(targetBytes / userBytes),
    usersPerShardAtCap: Math.floor(targetBytes / userAtCapBytes),
    largestTenantsPerShard: Math.floor(targetBytes / (CHOICES.largestTenantUsers * userBytes)),
    largestTenantsPerShardAtCap: Math.floor(targetBytes / (CHOICES.largestTenantUsers * userAtCapBytes)),
    /** A tenant at the default quota, at the cap: what the quota lets one tenant take. */
    quotaTenantAtCapShare: (DEFAULT_MAX_USERS * userAtCapBytes) / targetBytes,
    initialLocal: initial(local(perInitialUser)),
    initialCloudflare: initial(cloudflare(perInitialUser)),
    queriesPerSecondLocal: 1000 / meanStatementMs(measured),
    queriesPerSecondCloudflare: 1000 / CLOUDFLARE.msPerQuery,
  };
}

/** D1 time per statement, over the statements of an initial cycle. */
export function meanStatementMs(measured: MeasuredInputs): number {
  const kinds = ["lookup", "create", "relay", "delivery"] as const;
  const ms = kinds.reduce((sum, k) => sum + measured.requests[k].d1Ms, 0);
  const statements = kinds.reduce((sum, k) => sum + measured.requests[k].statements, 0);
  return ms / statements;
}

/** A shard as `tenants add` sees it: its binding name, its size (D1's size_after), its users (tenant_usage). */
export type ShardLoad = { shard: string; sizeBytes: number; users: number };

/**
 * How full a shard is by the model, 0 (empty) to 1 (at the fill target) and beyond: the larger of its size
 * now and the size its users will reach once their events of the retention period are kept (a shard filled
 * last week is still growing).
 */
export function shardFill(load: ShardLoad, figures: CapacityFigures): number {
  return Math.max(load.sizeBytes, load.users * figures.userBytes) / figures.targetBytes;
}

export type Placement =
  | { ok: true; shard: string; fill: number; fills: { shard: string; fill: number }[] }
  | { ok: false; reason: string; fills: { shard: string; fill: number }[] };

/**
 * The rule: a new tenant goes to the shard with the most headroom (the lowest fill); when even that one has
 * no room left for the largest expected tenant, a shard must be added first (or the operator names one).
 */
export function placeTenant(loads: readonly ShardLoad[], figures: CapacityFigures): Placement {
  const fills = loads.map((load) => ({ shard: load.shard, fill: shardFill(load, figures) }));
  const best = [...fills].sort((a, b) => a.fill - b.fill)[0];
  if (!best) return { ok: false, reason: "no shard is configured", fills };
  const largest = figures.tenantBytes(CHOICES.largestTenantUsers) / figures.targetBytes;
  if (best.fill + largest > 1) {
    return {
      ok: false,
      reason: `every shard is too full for a tenant of ${CHOICES.largestTenantUsers.toLocaleString("en-US")} users (the emptiest, ${best.shard}, is at ${percent(best.fill)} of its target): add a shard (docs/capacity.md, "When to add a shard") or name one with --shard`,
      fills,
    };
  }
  return { ok: true, shard: best.shard, fill: best.fill, fills };
}

export const percent = (fraction: number): string => `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)}%`;

export { MAX_STORED_BYTES, DEFAULT_MAX_USERS };
