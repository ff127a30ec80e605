// Puts the wrangler stand-in (wrangler-stand-in.mjs) first on a PATH, as the program `wrangler` the tools
// spawn, and runs it directly for the contract test. Node only.
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCommand } from "../../src/tools/command-output.ts";
import type { RunWrangler } from "../../src/tools/wrangler/run.ts";

const PROGRAM = join(import.meta.dirname, "wrangler-stand-in.mjs");

/** Writes `<dir>/bin/wrangler`; returns the environment whose PATH finds it before the real one. */
export function wranglerStandInEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "wrangler"), `#!/bin/sh\nexec "${process.execPath}" --no-warnings "${PROGRAM}" "$@"\n`);
  chmodSync(join(bin, "wrangler"), 0o755);
  return { ...process.env, PATH: `${bin}:${process.env.PATH}`, WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0", ...extra };
}

/** The stand-in as a RunWrangler, for the tools' adapters (what src/tools/wrangler/run.ts does with the real one). */
export const runStandIn: RunWrangler = (args) => runCommand(process.execPath, ["--no-warnings", PROGRAM, ...args]);
