// Wraps a Worker's fetch handler for the bench's statement pass: its D1 and KV bindings are replaced by
// counting proxies and the global fetch is counted (the JWKS key source fetches through it). Statements
// are attributed to the request while its handler runs and to "after" once it has answered (the outbox
// relay runs in waitUntil). The pass sends one request at a time, then reads and resets the counts at
// GET /__bench/counts. Only the bench's instrumented twins use this; the load runs on the real bundles.
import { countingD1, countingKv, emptyCounts } from "./counting-d1.ts";

type FetchHandler = (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;

export function instrument(handler: FetchHandler): ExportedHandler<Env> {
  let during = emptyCounts();
  let after = emptyCounts();
  let answering = false;
  const kv = { kvGets: 0 };
  const outbound = { fetches: 0 };
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    outbound.fetches++;
    return realFetch(input, init);
  };
  // One counting binding per real one, as the runtime gives an isolate's requests the same binding objects:
  // what the Worker keeps per database (prepared statements, the activity aggregate) lives as it would.
  const envs = new WeakMap<D1Database, Env>();
  const countedEnv = (env: Env): Env => {
    let counted = envs.get(env.DB);
    if (!counted) {
      counted = { ...env, DB: countingD1(env.DB, () => (answering ? during : after)), TENANTS: countingKv(env.TENANTS, kv) };
      envs.set(env.DB, counted);
    }
    return counted;
  };
  return {
    async fetch(request, env, ctx) {
      if (new URL(request.url).pathname === "/__bench/counts") {
        const body = JSON.stringify({ during, after, ...kv, ...outbound });
        during = emptyCounts();
        after = emptyCounts();
        kv.kvGets = 0;
        outbound.fetches = 0;
        return new Response(body, { headers: { "content-type": "application/json" } });
      }
      const counted = countedEnv(env);
      answering = true;
      try {
        return await handler(request, counted, ctx);
      } finally {
        answering = false;
      }
    },
  };
}
