// The forwarding settings: where the core is (CORE_URL, [vars]), how we authenticate (CORE_TOKEN, a secret:
// `wrangler secret put CORE_TOKEN --env <env>`, locally .dev.vars), how long delivered events are kept
// (OUTBOX_RETENTION_DAYS, [vars]), and the fixed timings below. Tests override single fields through the
// `config` they pass to the handlers, never through a branch here.
import * as z from "zod";
import { isLocalDevelopment } from "../environment.ts";
import { DEFAULT_BACKOFF, type BackoffPolicy } from "./backoff.ts";

export type ForwardingConfig = {
  /** Base URL of the core, e.g. https://core.telemessage.example; undefined when it cannot be used. */
  coreUrl: string | undefined;
  /** Why coreUrl is undefined (missing, not a URL, http outside local development); logged, never sent. */
  coreUrlProblem: string | undefined;
  coreToken: string | undefined;
  /** One call to the core may take this long before it counts as a transient failure. */
  timeoutMs: number;
  backoff: BackoffPolicy;
  /** Delivered and skipped events older than this are deleted by the cron. */
  retentionDays: number;
  /** A 'pending' event older than this was not sent by its request (the send failed or the isolate died). */
  resendGraceMs: number;
  /** An 'enqueued' event still undelivered after this lost its message (queue retention, a dropped DLQ message). */
  staleEnqueuedMs: number;
  /** A dead-lettered event (its retries ran out while the core was down) is re-sent this long after. */
  deadLetterResendMs: number;
  /** Events re-sent per cron run; the rest wait for the next minute. */
  resendLimit: number;
  /** Rows deleted per cron run. */
  pruneLimit: number;
};

export type ForwardingVars = { CORE_URL?: string; CORE_TOKEN?: string; OUTBOX_RETENTION_DAYS?: string; ENVIRONMENT?: string };

const DEFAULT_RETENTION_DAYS = 30;

/**
 * Why CORE_URL cannot be used in this environment, or undefined when it can. Change events carry users'
 * phone numbers and e-mail addresses, and the request carries the core's bearer token: outside local
 * development they travel over https only. `npm run deploy` checks the same (tools/deploy/plan.ts).
 */
export function coreUrlProblem(value: string | undefined, environment: string | undefined): string | undefined {
  if (!value?.trim()) return "CORE_URL is not set";
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return "CORE_URL is not a URL";
  }
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:") {
    return isLocalDevelopment(environment) ? undefined : "CORE_URL must be https: outside local development";
  }
  return "CORE_URL is not an http(s) URL";
}

const RetentionDays = z.coerce
  .number()
  .int("OUTBOX_RETENTION_DAYS must be a whole number of days")
  .min(1, "OUTBOX_RETENTION_DAYS must be at least 1");


export function readForwardingConfig(env: ForwardingVars, overrides: Partial<ForwardingConfig> = {}): ForwardingConfig {
  const retention = env.OUTBOX_RETENTION_DAYS?.trim() ? RetentionDays.parse(env.OUTBOX_RETENTION_DAYS) : DEFAULT_RETENTION_DAYS;
  // An unusable CORE_URL (an http one in staging or production, say) counts as not set: events stay
  // queued, and the delivery and cron log lines say why, until someone sets it right.
  const problem = coreUrlProblem(env.CORE_URL, env.ENVIRONMENT);
  return {
    coreUrl: problem ? undefined : new URL((env.CORE_URL as string).trim()).href.replace(/\/+$/, ""),
    coreUrlProblem: problem,
    coreToken: env.CORE_TOKEN?.trim() || undefined,
    timeoutMs: 10_000,
    backoff: DEFAULT_BACKOFF,
    retentionDays: retention,
    resendGraceMs: 30_000,
    staleEnqueuedMs: 12 * 60 * 60 * 1000,
    deadLetterResendMs: 60 * 60 * 1000,
    resendLimit: 500,
    pruneLimit: 2_000,
    ...overrides,
  };
}
