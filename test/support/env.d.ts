// Bindings that only the test configuration adds (test/vitest.config.ts), and the main module's type so
// `exports.default` from cloudflare:workers is typed.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** JSON of wrangler.toml's [env.production.vars]. */
    PRODUCTION_VARS: string;
    /** A rate limiter of 3 requests per 10 s (test/vitest.config.ts). */
    TEST_LOW_RATE_LIMIT: RateLimit;
    /** The shard every test tenant's record names: DB_2 unless the run says otherwise (test/support/shards.ts). */
    TEST_TENANT_SHARD?: string;
  }
  interface GlobalProps {
    mainModule: typeof import("../../src/index.ts");
  }
}
