// Bindings that only the test configuration adds (test/vitest.config.ts).
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** JSON of wrangler.toml's [env.production.vars]. */
    PRODUCTION_VARS: string;
  }
}
