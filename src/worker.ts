// The Worker's three handlers, built from one Deps (deps.ts): src/index.ts passes the runtime's own fetch,
// clock, randomness, ids, sleep and log; tests pass the core emulator, a clock they move and seeded
// randomness, and call the same handlers the runtime calls. The same Deps reaches the SCIM app, the console,
// the queue consumer and the cron (the outbox of every database, then the allow-list changes not yet in KV).
import { createApp, type AppOptions } from "./app.ts";
import { openDb } from "./db/client.ts";
import type { Deps } from "./deps.ts";
import { handleQueueBatch } from "./outbox/consumer.ts";
import { readForwardingConfig, type ForwardingConfig } from "./outbox/forwarding-config.ts";
import { runOutboxCron } from "./outbox/cron.ts";
import { publishPendingTenants } from "./console/publish-cron.ts";
import { createConsoleApp, type ConsoleOptions } from "./console/console-app.ts";
import { isConsoleRequest, readConsoleConfig } from "./auth/access-config.ts";
import { pruneActivity } from "./activity/store.ts";

/** What varies, as the runtime or a test gives it; the databases default to the DB binding. */
export type WorkerInputs = Omit<Deps, "database" | "databases" | "controlPlane"> & Partial<Pick<Deps, "database" | "databases" | "controlPlane">>;

export type WorkerOptions = {
  /** Fields that replace what wrangler.toml and the secrets give (a shorter timeout, say). */
  forwarding?: Partial<ForwardingConfig>;
  /** Options of the SCIM app (its caches and rate-limit lease, say). */
  app?: AppOptions;
  /** Options of the account managers' console (the Access keys, say). */
  console?: ConsoleOptions;
};

/** The one Deps of a Worker. Every tenant's database is the DB binding today (Deps.database says why). */
export function buildDeps(inputs: WorkerInputs): Deps {
  return {
    database: (env) => openDb(env.DB),
    databases: (env) => [openDb(env.DB)],
    controlPlane: (env) => openDb(env.DB),
    ...inputs,
  };
}

export function createWorker(inputs: WorkerInputs, options: WorkerOptions = {}) {
  const deps = buildDeps(inputs);
  const app = createApp(deps, options.app);
  const consoleApp = createConsoleApp(deps, options.console);
  const config = (env: Env): ForwardingConfig => readForwardingConfig(env, options.forwarding);
  return {
    // The console answers on its own hostname only, and nothing else does there: no SCIM route ever sits
    // behind Cloudflare Access (Entra would get a login page), and no console page on the SCIM host.
    fetch: (request: Request, env: Env, ctx: ExecutionContext) =>
      (isConsoleRequest(request.url, readConsoleConfig(env)) ? consoleApp : app).fetch(request, env, ctx),
    async queue(batch, env, _ctx) {
      await handleQueueBatch(batch, env, deps, config(env));
    },
    async scheduled(_controller, env, _ctx) {
      for (const db of deps.databases(env)) {
        await runOutboxCron(db, env.CHANGES, deps, config(env));
        await pruneActivity(db, deps.now());
      }
      await publishPendingTenants(env, deps);
    },
  } satisfies ExportedHandler<Env>;
}
