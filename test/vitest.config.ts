// Runs every test inside workerd with the real local D1/KV/Queue bindings from wrangler.toml.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";
import { readProductionVars } from "./support/wrangler-environments.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

export default defineConfig(async () => ({
  root,
  plugins: [
    cloudflareTest({
      wrangler: { configPath: `${root}/wrangler.toml` },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(`${root}/migrations`),
          // The production [vars], so a test can prove that production does not trust the dev key.
          PRODUCTION_VARS: readProductionVars(`${root}/wrangler.toml`),
        },
      },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/support/apply-migrations.ts"],
  },
}));
