// wrangler.toml as the tests and the bench read it (Node only): the shape of the parts they look at, one
// reader, and the production [vars] for the vitest config, so tests in workerd can check what production
// would (and would not) trust.
import { readFileSync } from "node:fs";
import { parse } from "smol-toml";

export type WranglerConsumer = {
  queue: string;
  max_batch_size?: number;
  max_batch_timeout?: number;
  max_retries?: number;
  max_concurrency?: number;
  dead_letter_queue?: string;
};

/** What one environment (the top level, or an [env.*]) declares; Cloudflare does not inherit bindings. */
export type WranglerEnvironment = {
  vars?: Record<string, string>;
  d1_databases?: { binding: string; database_id: string }[];
  kv_namespaces?: { binding: string; id: string }[];
  queues?: { producers?: { binding: string; queue: string }[]; consumers?: WranglerConsumer[] };
  ratelimits?: { name: string; namespace_id: string; simple: { limit: number; period: 10 | 60 } }[];
  triggers?: { crons?: string[] };
  secrets?: { required?: string[] };
  observability?: { enabled?: boolean; redact_query_string?: boolean; logs?: { enabled?: boolean; invocation_logs?: boolean } };
  limits?: { cpu_ms?: number; subrequests?: number };
};

export type WranglerToml = WranglerEnvironment & {
  compatibility_date: string;
  compatibility_flags?: string[];
  env: Record<string, WranglerEnvironment>;
};

const WRANGLER_TOML = new URL("../../wrangler.toml", import.meta.url);

export const readWranglerToml = (path: string | URL = WRANGLER_TOML): WranglerToml =>
  parse(readFileSync(path, "utf8")) as unknown as WranglerToml;

export function readProductionVars(wranglerTomlPath: string): string {
  const vars = readWranglerToml(wranglerTomlPath).env?.["production"]?.vars;
  if (!vars) throw new Error("wrangler.toml has no [env.production.vars]");
  return JSON.stringify(vars);
}
