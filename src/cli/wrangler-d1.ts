// SQL against the gateway's D1 through `wrangler d1 execute DB --json --command`, so the operator command
// reaches the local database `npm start` uses and, with --remote --env, Cloudflare's, reusing the
// operator's `wrangler login`. Node only.
import { spawn } from "node:child_process";

export type D1Target = {
  /** Cloudflare's D1 of the environment `env` instead of the local one. */
  remote: boolean;
  /** A wrangler.toml environment, e.g. "production". */
  env?: string;
  /** Local state directory instead of .wrangler/state (wrangler's --persist-to). */
  persistTo?: string;
  /** Another wrangler.toml (wrangler's --config). */
  config?: string;
};

export type WranglerResult = { status: number; stdout: string; stderr: string };
export type RunWrangler = (args: string[]) => Promise<WranglerResult>;

export const D1_BINDING = "DB";

export function d1Args(target: D1Target, sql: string): string[] {
  return [
    "d1",
    "execute",
    D1_BINDING,
    target.remote ? "--remote" : "--local",
    ...(target.env ? ["--env", target.env] : []),
    ...(target.persistTo ? ["--persist-to", target.persistTo] : []),
    ...(target.config ? ["--config", target.config] : []),
    "--json",
    // No prompt can be answered (stdin is closed); remote imports ask one, plain commands do not.
    "--yes",
    "--command",
    sql,
  ];
}

/** Runs one statement; returns its result rows. */
export async function queryD1<Row>(target: D1Target, sql: string, run: RunWrangler = runWrangler): Promise<Row[]> {
  const result = await run(d1Args(target, sql));
  if (result.status !== 0) throw new D1CommandError(result);
  const parsed = parseJsonOutput(result.stdout) as { results?: Row[]; success?: boolean }[];
  const [first] = parsed;
  if (!first?.success) throw new D1CommandError(result);
  return first.results ?? [];
}

/** The JSON document in wrangler's stdout, skipping any banner or notice lines before it. */
export function parseJsonOutput(stdout: string): unknown {
  const start = stdout.search(/^[[{]/m);
  if (start < 0) throw new Error(`wrangler printed no JSON: ${stdout.slice(0, 200)}`);
  return JSON.parse(stdout.slice(start));
}

export class D1CommandError extends Error {
  readonly status: number;
  constructor(result: WranglerResult) {
    const output = `${result.stderr}\n${result.stdout}`
      .replace(/\x1b\[[0-9;]*m/g, "")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !/^[⛅─]|update available|^Resource location|^Use --remote/.test(line));
    super(`wrangler d1 execute failed (exit ${result.status}): ${output.slice(-6).join(" ") || "no output"}`);
    this.name = "D1CommandError";
    this.status = result.status;
  }
}

/** Runs the project's wrangler (npm scripts put node_modules/.bin first on PATH). */
export const runWrangler: RunWrangler = (args) =>
  new Promise((resolve, reject) => {
    const child = spawn("wrangler", args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ status: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
