// The Worker's three handlers, built from one Deps (deps.ts): src/index.ts passes the runtime's own fetch,
// clock, randomness, ids, sleep and log; tests pass the core emulator, a clock they move and seeded
// randomness, and call the same handlers the runtime calls. The same Deps reaches the SCIM app, the console,
// the queue consumer and the cron (the outbox of every database, then the allow-list changes not yet in KV).
import { createApp, type AppOptions } from "./app.ts";
import { openShard, shardNames } from "./db/shards.ts";
import type { Deps } from "./deps.ts";
import { writeJsonLine } from "./log.ts";
import { handleQueueBatch } from "./outbox/consumer.ts";
import { readForwardingConfig, type ForwardingConfig } from "./outbox/forwarding-config.ts";
import { runOutboxCrons } from "./outbox/cron.ts";
import { DEFAULT_SHARD, shardOf } from "./tenants/shard.ts";
import { publishPendingTenants } from "./console/publish-cron.ts";
import { createConsoleApp, type ConsoleOptions } from "./console/console-app.ts";
import { isConsoleRequest, readConsoleConfig } from "./auth/access-config.ts";
import { pruneActivity } from "./activity/store.ts";

/** What varies, as the runtime or a test gives it; the databases default to the env's shard bindings. */
export type WorkerInputs = Omit<Deps, "database" | "shard" | "shards" | "controlPlane"> & Partial<Pick<Deps, "database" | "shard" | "shards" | "controlPlane">>;

/** The runtime's own fetch, clock, randomness, ids, sleep and console: what src/index.ts deploys, and what
 * tests start from before replacing what they control (test/support/deps.ts). */
export const runtimeInputs = (): WorkerInputs => ({
  fetch: (input, init) => fetch(input, init),
  now: () => new Date(),
  random: Math.random,
  newId: () => crypto.randomUUID(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  log: writeJsonLine,
});

export type WorkerOptions = {
  /** Fields that replace what wrangler.toml and the secrets give (a shorter timeout, say). */
  forwarding?: Partial<ForwardingConfig>;
  /** Options of the SCIM app (its caches and rate-limit lease, say). */
  app?: AppOptions;
  /** Options of the account managers' console (the Access keys, say). */
  console?: ConsoleOptions;
};

/** The one Deps of a Worker. A tenant's database is the shard its record names (db/shards.ts). */
export function buildDeps(inputs: WorkerInputs): Deps {
  return {
    database: (env, tenant) => openShard(env, shardOf(tenant.record)),
    shard: openShard,
    shards: shardNames,
    controlPlane: (env) => openShard(env, DEFAULT_SHARD),
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
      // Every shard's outbox, then every shard's activity (issue 14 lives beside the tenant's users), then the
      // allow-list changes not yet in KV; a failing part stops none of the others, and the run then fails so
      // the invocation shows it.
      let failure: unknown;
      await runOutboxCrons(env, env.CHANGES, deps, config(env)).catch((error: unknown) => (failure ??= error));
      for (const name of deps.shards(env)) await pruneActivity(deps.shard(env, name), deps.now()).catch((error: unknown) => (failure ??= error));
      await publishPendingTenants(env, deps).catch((error: unknown) => (failure ??= error));
      if (failure) throw failure;
    },
  } satisfies ExportedHandler<Env>;
}
