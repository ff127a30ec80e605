// Three projects. "workers": every test of the Worker, inside workerd with the real local D1/KV/Queue
// bindings from wrangler.toml. "node": the command-line tools (they run on Node and drive wrangler).
// "browser": the account managers' console in Debian's Chromium against `npm start` (test/browser/),
// skipped with a line saying so where no Chromium is installed.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { fileURLToPath } from "node:url";
import { CHROMIUM_PATH, chromiumFound } from "./browser/local-gateway.ts";
import { defineConfig } from "vitest/config";
import { readProductionVars } from "./support/wrangler-environments.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
// The core's bearer token (a secret in real environments); tests inject the core emulator. wrangler.toml
// requires the secret, and the plugin's wrangler looks for it in the process environment (never a real one).
const CORE_TOKEN = "test-core-token";
process.env.CORE_TOKEN = CORE_TOKEN;
// The command-line tests start wrangler some fifty times (two Node processes each, loading its 10 MB
// bundle): Node's on-disk compile cache lets every start after the first skip compiling it. Measured on the
// node project alone: 107 s of CPU without, 81 s with a warm cache.
process.env.NODE_COMPILE_CACHE ??= `${root}/node_modules/.cache/node-compile-cache`;

if (!chromiumFound()) {
  console.log(
    `browser tests skipped: no Chromium at ${CHROMIUM_PATH}. To run them: apt-get install -y chromium (or set CHROMIUM_PATH), then npm test; CI (.ci/run) installs it.`,
  );
}

export default defineConfig(async () => ({
  root,
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: `${root}/wrangler.toml` },
            miniflare: {
              bindings: {
                TEST_MIGRATIONS: await readD1Migrations(`${root}/migrations`),
                // The production [vars], so a test can prove that production does not trust the dev key.
                PRODUCTION_VARS: readProductionVars(`${root}/wrangler.toml`),
                CORE_TOKEN,
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
          name: "workers",
          sequence: { groupOrder: 0 },
          // One Miniflare (one workerd) per pool worker, reused by every test file it runs, instead of a new
          // one per file: that start-up was 106 s of a 219 s suite. What isolation needs is already in the
          // tests: each makes its own tenants (newTenantId), so files sharing one D1 and one KV never see
          // each other's users; checks that read a whole table are scoped to their tenants
          // (test/bench/soak-check.ts). Module-scope caches are shared too, which is what production does.
          isolate: false,
          root,
          include: ["test/unit/**/*.test.ts", "test/http/**/*.test.ts"],
          setupFiles: ["test/support/freeze-builtins.ts", "test/support/apply-migrations.ts"],
        },
      },
      {
        test: {
          name: "node",
          sequence: { groupOrder: 0 },
          root,
          environment: "node",
          include: ["test/node/**/*.test.ts"],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "browser",
          root,
          // After the other two (group 0): its wrangler dev and Chromium would otherwise take the CPU from
          // their wall-time bounds (attack-list-work's "within a second" failed at 3 s beside them).
          sequence: { groupOrder: 1 },
          environment: "node",
          include: ["test/browser/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
}));
