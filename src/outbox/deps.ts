import type { Fetch } from "./core-client.ts";
import type { ForwardingConfig } from "./forwarding-config.ts";

/** One structured log line; callers never put a phone number, e-mail or token in it. */
export type OutboxLog = (fields: Record<string, unknown>) => void;

export const logJson: OutboxLog = (fields) => console.log(JSON.stringify(fields));

/** What the queue consumer and the cron need from the outside world, injected so tests control all of it. */
export type OutboxDeps = {
  fetch: Fetch;
  now: () => Date;
  /** A number in [0, 1) for retry jitter. */
  random: () => number;
  log: OutboxLog;
  config: ForwardingConfig;
};
