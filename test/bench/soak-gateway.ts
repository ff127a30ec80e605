// The soak's world: the real bundle on its own Miniflare (workerd) with D1, KV, the change queue AND its
// consumers (so forwarding really runs), CORE_URL pointing at a core emulator served from this Node process
// on a free 127.0.0.1 port, and CORE_TOKEN set to the emulator's token. Unlike workers.ts (the capacity
// bench, producers only), nothing here is dropped: every change travels gateway -> D1 -> queue -> core.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { createCoreEmulator, type CoreEmulator } from "../../src/tools/dev/core-emulator.ts";
import { readWranglerToml } from "../support/wrangler-environments.ts";

export type Core = { emulator: CoreEmulator; url: string; token: string; server: Server };

/** The core emulator (src/tools/dev/core-emulator.ts) behind a Node http server on 127.0.0.1, any free port. */
export async function startCore(token: string): Promise<Core> {
  const emulator = createCoreEmulator({ token });
  const toRequest = (req: IncomingMessage, body: Buffer, base: string): Request => {
    const headers = new Headers();
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    const method = req.method ?? "GET";
    return new Request(`${base}${req.url ?? "/"}`, { method, headers, ...(method !== "GET" && method !== "HEAD" && { body }) });
  };
  let base = "";
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      emulator
        .handle(toRequest(req, Buffer.concat(chunks), base))
        .then(async (response) => {
          res.writeHead(response.status, Object.fromEntries(response.headers));
          res.end(Buffer.from(await response.arrayBuffer()));
        })
        .catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("the core emulator did not get a port");
  base = `http://127.0.0.1:${address.port}`;
  return { emulator, url: base, token, server };
}

export type SoakGateway = {
  mf: Miniflare;
  url: URL;
  db: Awaited<ReturnType<Miniflare["getD1Database"]>>;
  shards: Record<string, Awaited<ReturnType<Miniflare["getD1Database"]>>>;
  kv: Awaited<ReturnType<Miniflare["getKVNamespace"]>>;
  worker: Awaited<ReturnType<Miniflare["getWorker"]>>;
  persist: string;
  /** The per-tenant limit in force (binding calls per period, each a lease of REQUESTS_PER_LEASE requests) and where it came from. */
  rateLimit: { limit: number; period: number; source: "wrangler.toml" | "--rate-limit" };
  logLines: { count: number; errors: string[] };
};

export async function startSoakGateway(
  scriptPath: string,
  core: Core,
  options: { rateLimit?: number; maxBatchTimeoutSeconds: number },
): Promise<SoakGateway> {
  const config = readWranglerToml();
  const persist = mkdtempSync(join(tmpdir(), "tm-soak-"));
  const configured = config.ratelimits?.find((r) => r.name === "TENANT_RATE_LIMIT_LEASES");
  const period = configured?.simple.period ?? 60;
  const rateLimit = options.rateLimit
    ? { limit: options.rateLimit, period, source: "--rate-limit" as const }
    : { limit: configured?.simple.limit ?? 40, period, source: "wrangler.toml" as const };
  const consumers = config.queues?.consumers ?? [];
  if (!consumers.length) throw new Error("wrangler.toml declares no queue consumers");
  const logLines = { count: 0, errors: [] as string[] };
  const options4 = convertV4MiniflareOptions({
    host: "127.0.0.1",
    port: 0,
    cf: false,
    resourcePersistencePath: persist,
    logRequests: false,
    handleStructuredLogs: (log) => {
      logLines.count++;
      if (process.env.SOAK_WORKER_LOGS) console.error(`[worker] ${log.message}`);
      if (/"level":"error"|Uncaught|Error:/.test(log.message) && logLines.errors.length < 20) logLines.errors.push(log.message.slice(0, 400));
    },
    workers: [
      {
        name: "main",
        modules: true,
        scriptPath,
        modulesRoot: dirname(scriptPath),
        compatibilityDate: config.compatibility_date,
        compatibilityFlags: config.compatibility_flags ?? [],
        bindings: { ...(config.vars ?? {}), CORE_URL: core.url, CORE_TOKEN: core.token },
        d1Databases: Object.fromEntries((config.d1_databases ?? []).map((d) => [d.binding, `soak-${d.database_id}`])),
        kvNamespaces: Object.fromEntries((config.kv_namespaces ?? []).map((k) => [k.binding, `soak-${k.id}`])),
        queueProducers: Object.fromEntries((config.queues?.producers ?? []).map((q) => [q.binding, { queueName: q.queue }])),
        // The consumers as configured, except a short batch timeout so the run settles quickly. max_concurrency
        // is left out: this Miniflare's schema accepts it but its queue broker (broker.worker.js) never reads
        // it, and the consumer shares one workerd with the SCIM load, so forwarding lags far more here than on
        // Cloudflare (see "core calls during the load" in the results).
        queueConsumers: Object.fromEntries(
          consumers.map((c) => [
            c.queue,
            {
              maxBatchSize: c.max_batch_size,
              maxBatchTimeout: Math.min(c.max_batch_timeout ?? 1, options.maxBatchTimeoutSeconds),
              maxRetries: c.max_retries,
              ...(c.dead_letter_queue ? { deadLetterQueue: c.dead_letter_queue } : {}),
            },
          ]),
        ),
        ratelimits: configured
          ? { [configured.name]: { namespace_id: configured.namespace_id, simple: { limit: rateLimit.limit, period: rateLimit.period } } }
          : {},
      },
    ],
  } as Parameters<typeof convertV4MiniflareOptions>[0]);
  const mf = new Miniflare(options4);
  const url = await mf.ready;
  return {
    mf,
    url,
    db: await mf.getD1Database("DB", "main"),
    // Every shard wrangler.toml declares (issue 15): DB, DB_2, ...
    shards: Object.fromEntries(
      await Promise.all((config.d1_databases ?? []).map(async (d) => [d.binding, await mf.getD1Database(d.binding, "main")] as const)),
    ),
    kv: await mf.getKVNamespace("TENANTS", "main"),
    worker: await mf.getWorker("main"),
    persist,
    rateLimit,
    logLines,
  };
}

export async function stopSoak(gateway: SoakGateway | undefined, core: Core | undefined): Promise<void> {
  if (gateway) {
    await gateway.mf.dispose().catch(() => {});
    rmSync(gateway.persist, { recursive: true, force: true });
  }
  if (core) {
    core.server.closeAllConnections();
    await new Promise<void>((resolve) => core.server.close(() => resolve()));
  }
}
