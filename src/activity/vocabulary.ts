// The words of a tenant's activity (issue 14 §1), shared by what records it (recorder.ts, through the
// middleware in http/activity.ts) and what reads it back (read-model.ts, the CLI, the console). Pure.

/**
 * What a request did, as Entra's provisioning job sends it: Test Connection and the start of each cycle probe
 * with a lookup of a random GUID ("probe"); a cycle looks each user up by userName ("lookup", with reads by
 * id and list pages), then creates, updates, disables (active false) or deletes. "other" is anything else
 * behind the tenant guard (/Groups, which this gateway does not keep).
 */
export const ROUTE_KINDS = ["probe", "lookup", "create", "update", "disable", "delete", "other"] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];

/** Kinds that change users: their 2xx is a "successful write". */
export const WRITE_KINDS: readonly RouteKind[] = ["create", "update", "disable", "delete"];

/**
 * How a request ended: "2xx"; a 4xx with a scimType is that scimType ("invalidValue", "uniqueness", ...);
 * any other answer is its status ("403", "404", "429", "500", "503").
 */
export type Outcome = string;
export const SUCCESS: Outcome = "2xx";

export function outcomeOf(status: number, scimType: string | undefined): Outcome {
  if (status < 400) return SUCCESS;
  if (status < 500 && scimType) return scimType;
  return String(status);
}

/** The activity is kept this many UTC days, today included; the cron prunes what is older. */
export const RETENTION_DAYS = 30;
/** Refusals kept per tenant: the newest ones. */
export const MAX_REFUSALS = 50;

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

/** "2026-11-28": the UTC day of a time. */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
/** "2026-11-28T14": the UTC hour of a time. */
export const hourOf = (ms: number): string => new Date(ms).toISOString().slice(0, 13);

/**
 * The bucket a request is counted in: its UTC day for a success, its UTC hour otherwise (db/schema.ts says
 * why). Both sort as text, and an hour bucket sorts after its own day, so `bucket >= day` keeps the day's hours.
 */
export const bucketOf = (ms: number, outcome: Outcome): string => (outcome === SUCCESS ? dayOf(ms) : hourOf(ms));

/** The oldest bucket kept at `now`: the first of the RETENTION_DAYS days ending today. */
export const oldestKeptDay = (now: number): string => dayOf(now - (RETENTION_DAYS - 1) * DAY_MS);

/** The oldest hour bucket of "the last 24 h" at `now`: the current hour and the 23 before it. */
export const oldestHourOf24h = (now: number): string => hourOf(now - 23 * HOUR_MS);
