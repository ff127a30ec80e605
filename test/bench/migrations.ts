// The schema, exactly as deployed: every drizzle-kit migration in migrations/, in order, statement by
// statement (drizzle-kit separates them with "--> statement-breakpoint").
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./workers.ts";

export function migrationStatements(): string[] {
  const dir = join(ROOT, "migrations");
  return readdirSync(dir)
    .filter((f) => /^\d{4}_.*\.sql$/.test(f))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), "utf8").split("--> statement-breakpoint"))
    .map((s) => s.trim())
    .filter(Boolean);
}
