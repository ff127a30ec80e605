// The gateway's own JavaScript per request, without workerd: `node test/bench/node-probe.ts [--requests 40000]`.
// Runs the real app (createApp) in Node on a Test Connection probe with an allow-listed tenant, its verified
// token cached and the limiter always granting (in-memory stand-ins, since no storage is touched on this
// path), against a bare handler that only builds the request and the same empty ListResponse. The difference
// is what the gateway's code costs: auth and allow-list caches, rate-limit lease, query validation, filter
// parsing, rendering and the log line. A profiling aid for issue 5, not a test.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import type { JWK } from "jose";
import { createApp } from "../../src/app.ts";
import { testDeps } from "../support/deps.ts";
import { signDevToken } from "../../src/tools/dev/dev-token.ts";
import { listResponse } from "../../src/scim/user-resource.ts";
import { ROOT } from "./workers.ts";

const args = process.argv.slice(2);
const at = args.indexOf("--requests");
const requests = at >= 0 ? Number(args[at + 1]) : 40_000;
const TENANT = "0b5e0000-0000-4000-8000-00000000be4c";
const vars = (parse(readFileSync(join(ROOT, "wrangler.toml"), "utf8")) as { vars: Record<string, string> }).vars;
const record = JSON.stringify({ accountId: "TM-BENCH", name: "Bench", managers: ["Ann Manager"], enabled: true });
const env = {
  ...vars,
  TENANTS: { get: async () => record },
  TENANT_RATE_LIMIT_LEASES: { limit: async () => ({ success: true }) },
  DB: {}, // a Drizzle handle is made for it, never queried: the probe's GUID cannot be a number
} as unknown as Env;
const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
const jwk = JSON.parse(readFileSync(join(ROOT, "src/tools/dev/dev-signing-key.json"), "utf8")) as JWK;
const token = await signDevToken({ jwk, tenantId: TENANT });
const url = `https://gateway.example/scim/v2/Users?filter=userName+eq+%22${crypto.randomUUID()}%22`;
const headers = { Authorization: `Bearer ${token}` };
const EMPTY = listResponse([], 0, 1);

let logged = 0;
const app = createApp(testDeps({ log: (fields) => void (logged += JSON.stringify(fields).length) }));
const sides: Record<string, () => Promise<Response>> = {
  bare: async () => {
    const request = new Request(url, { headers });
    new URL(request.url);
    return Response.json(EMPTY);
  },
  gateway: async () => app.fetch(new Request(url, { headers }), env, ctx),
};

async function time(run: () => Promise<Response>, n: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const res = await run();
    await res.text();
    if (res.status !== 200) throw new Error(`status ${res.status}`);
  }
  return ((performance.now() - started) * 1000) / n;
}

const results: Record<string, number[]> = { bare: [], gateway: [] };
for (const run of Object.values(sides)) await time(run, 5_000); // warm-up
for (let round = 0; round < 5; round++) {
  for (const [name, run] of Object.entries(sides)) results[name]?.push(await time(run, Math.floor(requests / 5)));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const bare = median(results.bare ?? []);
const gateway = median(results.gateway ?? []);
console.log(`Node ${process.version}, ${requests} probes per side, median of 5 rounds:`);
console.log(`  bare handler  ${bare.toFixed(1)} µs/request`);
console.log(`  gateway       ${gateway.toFixed(1)} µs/request  (its own code: ${(gateway - bare).toFixed(1)} µs; ${logged > 0 ? "log lines written" : "no log"})`);
