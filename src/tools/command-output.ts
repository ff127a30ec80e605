// Runs a program to completion and keeps what it printed: the tools' wrangler calls, and the tests that run
// the tools and the wrangler stand-in the same way. Node only.
import { spawn } from "node:child_process";

export type CommandResult = { status: number; stdout: string; stderr: string };

export type CommandOptions = { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number };

/** Resolves with the exit status (128 when a signal ended it) and both outputs; rejects when it cannot start. */
export function runCommand(command: string, args: string[], options: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.env ? { env: options.env } : {}),
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ status: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}
