// Running the project's wrangler from the command-line tools: which copy of a binding to reach (local
// state, or Cloudflare's with --remote --env, reusing the operator's `wrangler login`), reading its JSON
// output, and turning a failure into one readable error. Node only.
import { runCommand, type CommandResult } from "../command-output.ts";

export type WranglerTarget = {
  /** Cloudflare's binding of the environment `env` instead of the local one. */
  remote: boolean;
  /** A wrangler.toml environment, e.g. "production". */
  env?: string;
  /** Local state directory instead of .wrangler/state (wrangler's --persist-to). */
  persistTo?: string;
  /** Another wrangler.toml (wrangler's --config). */
  config?: string;
};

export type WranglerResult = CommandResult;
export type RunWrangler = (args: string[]) => Promise<WranglerResult>;

/** The flags that point a wrangler command at the target. */
export function targetFlags(target: WranglerTarget): string[] {
  return [
    target.remote ? "--remote" : "--local",
    ...(target.env ? ["--env", target.env] : []),
    ...(target.persistTo ? ["--persist-to", target.persistTo] : []),
    ...(target.config ? ["--config", target.config] : []),
  ];
}

/** The JSON document in wrangler's stdout, skipping any banner or notice lines before it. */
export function parseJsonOutput(stdout: string): unknown {
  const start = stdout.search(/^[[{]/m);
  if (start < 0) throw new Error(`wrangler printed no JSON: ${stdout.slice(0, 200)}`);
  return JSON.parse(stdout.slice(start));
}

export class WranglerError extends Error {
  readonly status: number;
  constructor(command: string, result: WranglerResult) {
    const output = `${result.stderr}\n${result.stdout}`
      .replace(/\x1b\[[0-9;]*m/g, "")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !/^[⛅─]|update available|^Resource location|^Use --remote/.test(line));
    super(`wrangler ${command} failed (exit ${result.status}): ${output.slice(-6).join(" ") || "no output"}`);
    this.name = "WranglerError";
    this.status = result.status;
  }
}

/** Runs the project's wrangler (npm scripts put node_modules/.bin first on PATH). */
export const runWrangler: RunWrangler = (args) =>
  runCommand("wrangler", args, { env: { ...process.env, WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0" } });
