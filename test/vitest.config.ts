// Three projects. "workers": every test of the Worker, inside workerd with the real local D1/KV/Queue
// bindings from wrangler.toml. "node": the command-line tools (they run on Node and drive wrangler).
// "browser": the account managers' console in Debian's Chromium against `npm start` (test/browser/),
// skipped with a line saying so where no Chromium is installed.
//
// The workers project puts every test tenant on the SECOND shard (DB_2; test/support/shards.ts), so every HTTP
// test runs against a tenant on a non-default shard (issue 15 §2) without running the suite twice (its time
// is a tracked target). The first shard keeps its own tests: records without a shard, written directly
// (test/http/shards.test.ts and every test that puts a record itself), and the cron/health sweeps of all
// shards. `TEST_TENANT_SHARD=DB npm test` runs the same suite with the test tenants on the first shard.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { CHROMIUM_PATH, chromiumFound } from "./browser/local-gateway.ts";
import { defineConfig } from "vitest/config";
import { readProductionVars } from "./support/wrangler-environments.ts";
import { StartOrder } from "./support/start-order.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
// The core's bearer token (a secret in real environments); tests inject the core emulator. wrangler.toml
// requires the secret, and the plugin's wrangler looks for it in the process environment (never a real one).
const CORE_TOKEN = "test-core-token";
process.env.CORE_TOKEN = CORE_TOKEN;
// The suite still starts the real wrangler about twenty times (the wrangler contract, npm start for the
// browser tests; two Node processes each, loading its 10 MB bundle) and the tools' own TypeScript about a
// hundred times: Node's on-disk compile cache lets every start after the first skip compiling. Measured
// when the node project started wrangler some fifty times: 107 s of CPU without, 81 s with a warm cache.
process.env.NODE_COMPILE_CACHE ??= `${root}/node_modules/.cache/node-compile-cache`;

if (!chromiumFound()) {
  console.log(
    `browser tests skipped: no Chromium at ${CHROMIUM_PATH}. To run them: apt-get install -y chromium (or set CHROMIUM_PATH), then npm test; CI (.ci/run) installs it.`,
  );
}

export default defineConfig(async () => ({
  root,
  test: {
    // One worker per core and one more, in the order of support/start-order.ts: the files that mostly wait on
    // the programs they start (the browser test, the wrangler contract) each take a worker beside the Worker's
    // files, whose first workerd starts meanwhile. Measured on this machine (2 cores) with every cache removed,
    // back to back: vitest's own order on 2 workers 137 s, this order on 3: 129 s, on 4: 132 s; with the later
    // changes, 3 workers 101.6 and 107.8 s, 4 workers 107.4 and 108.4 s (each workerd costs about 4 s of CPU).
    maxWorkers: availableParallelism() + 1,
    sequence: { sequencer: StartOrder },
    projects: [
      await workersProject("workers", ["test/unit/**/*.test.ts", "test/http/**/*.test.ts"], process.env.TEST_TENANT_SHARD ?? "DB_2"),
      {
        test: {
          name: "node",
          sequence: { groupOrder: 0 },
          root,
          environment: "node",
          include: ["test/node/**/*.test.ts"],
          // One Node process per pool worker for many files rather than one per file: measured on the node
          // project alone, 148 s of CPU -> 140 s. Its tests share no module state (they spawn the tools).
          isolate: false,
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "browser",
          root,
          // Starts first, beside the Worker's first files (support/start-order.ts), and is done long before
          // the files with wall-time bounds (attack-list-work's "within a second" failed at 3 s beside its
          // wrangler dev and Chromium when they overlapped).
          sequence: { groupOrder: 0 },
          environment: "node",
          include: ["test/browser/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
}));

/**
 * The Worker's dependencies reach workerd without source maps. vitest sends every module to each workerd over
 * a WebSocket (serialized, then deflated) with its source map inlined as base64, and for the dependencies
 * (zod, drizzle-orm, hono, jose, libphonenumber-js's metadata) that was most of the traffic: 21.7 of 30.2 MB
 * for the Worker's files on two workerds, 8.2 of 11.0 MB for one file. Their code is JavaScript already, so a
 * stack trace through them loses little; src/ and test/ keep their TypeScript lines. Back to back: 134.0 s
 * and 259 s of CPU with the maps, 131.9 s and 255 s without.
 */
const dependenciesWithoutSourceMaps = {
  name: "dependencies-without-source-maps",
  enforce: "post" as const,
  // Rollup's way to drop a map: empty mappings (null would keep the one before).
  transform: (code: string, id: string) => (id.includes("/node_modules/") ? { code, map: { mappings: "" } } : undefined),
};

/** The Worker's tests in workerd; `tenantShard` puts every test tenant on that shard (support/shards.ts). */
async function workersProject(name: string, include: string[], tenantShard: string) {
  return {
    plugins: [
      dependenciesWithoutSourceMaps,
      cloudflareTest({
        wrangler: { configPath: `${root}/wrangler.toml` },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: await readD1Migrations(`${root}/migrations`),
            // The production [vars], so a test can prove that production does not trust the dev key.
            PRODUCTION_VARS: readProductionVars(`${root}/wrangler.toml`),
            CORE_TOKEN,
            TEST_TENANT_SHARD: tenantShard,
          },
          // Requests' sends go to a queue nothing consumes: otherwise the real consumer would post to
          // CORE_URL in the background. Forwarding tests drive the consumer themselves, with the core
          // emulator as its fetch (test/support/forwarding.ts).
          queueProducers: { CHANGES: { queueName: "telemessage-user-changes-unconsumed-in-tests" } },
          // A real rate limiter with a limit small enough to reach in a test.
          ratelimits: { TEST_LOW_RATE_LIMIT: { namespace_id: "9001", simple: { limit: 3, period: 10 } } },
        },
      }),
    ],
    test: {
      name,
      sequence: { groupOrder: 0 },
      // One Miniflare (one workerd) per pool worker, reused by every test file it runs, instead of a new
      // one per file: that start-up was 106 s of a 219 s suite. What isolation needs is already in the
      // tests: each makes its own tenants (newTenantId), so files sharing one D1 and one KV never see
      // each other's users; checks that read a whole table are scoped to their tenants
      // (test/bench/soak-check.ts). Module-scope caches are shared too, which is what production does.
      isolate: false,
      // With more workers than cores a test's wall time stretches: this bound only stops a hang (the
      // tests that are about time carry their own bounds).
      testTimeout: 30_000,
      root,
      include,
      setupFiles: ["test/support/freeze-builtins.ts", "test/support/apply-migrations.ts"],
    },
  };
}
