// Node-side helper for the vitest config: reads one environment's [vars] out of wrangler.toml so tests
// in workerd can check what production would (and would not) trust.
import { readFileSync } from "node:fs";
import { parse } from "smol-toml";

export function readProductionVars(wranglerTomlPath: string): string {
  const config = parse(readFileSync(wranglerTomlPath, "utf8")) as {
    env?: Record<string, { vars?: Record<string, unknown> }>;
  };
  const vars = config.env?.["production"]?.vars;
  if (!vars) throw new Error("wrangler.toml has no [env.production.vars]");
  return JSON.stringify(vars);
}
