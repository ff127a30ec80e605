// drizzle-kit reads this to generate SQL migrations into migrations/ (flat NNNN_name.sql files, which is
// the layout both `wrangler d1 migrations apply` and the test setup read).
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
  migrations: { prefix: "index" },
});
