// The Worker's three handlers, built from what varies: `fetch` toward the TeleMessage core, the clock, the
// jitter source, the log. src/index.ts builds it with the runtime's own; tests build it with the core
// emulator and a controlled clock, and call the same handlers the runtime calls.
import { createApp, type AppOptions } from "./app.ts";
import { handleQueueBatch } from "./outbox/consumer.ts";
import type { Fetch } from "./outbox/core-client.ts";
import { logJson, type OutboxDeps, type OutboxLog } from "./outbox/deps.ts";
import { readForwardingConfig, type ForwardingConfig } from "./outbox/forwarding-config.ts";
import { runOutboxCron } from "./outbox/cron.ts";

export type WorkerDeps = {
  fetch: Fetch;
  now: () => Date;
  random: () => number;
  log?: OutboxLog;
  /** Fields that replace what wrangler.toml and the secrets give (a shorter timeout, say). */
  outbox?: Partial<ForwardingConfig>;
  /** Options of the SCIM app (its request log sink, say). */
  app?: AppOptions;
};

export function createWorker(deps: WorkerDeps) {
  const app = createApp(deps.app);
  const outboxDeps = (env: Env): OutboxDeps => ({
    fetch: deps.fetch,
    now: deps.now,
    random: deps.random,
    log: deps.log ?? logJson,
    config: readForwardingConfig(env, deps.outbox),
  });
  return {
    fetch: app.fetch,
    async queue(batch, env, _ctx) {
      await handleQueueBatch(batch, env, outboxDeps(env));
    },
    async scheduled(_controller, env, _ctx) {
      await runOutboxCron(env, outboxDeps(env));
    },
  } satisfies ExportedHandler<Env>;
}
