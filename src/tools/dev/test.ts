// npm test: the type check (`npm run typecheck`: wrangler types, then tsc) beside the whole vitest suite
// instead of before it. tsc runs on one core while the suite is bound by CPU on all of them, so side by side
// the check costs the suite a few seconds instead of its own 5 s (13 s on a clean clone). The type check's
// output is printed after the suite's, and either failing fails npm test. Arguments go to vitest.
import { spawn } from "node:child_process";

type Finished = { code: number; output: string };

/** Runs a command of node_modules/.bin (npm scripts put it on PATH); `quiet` keeps its output for later. */
function run(command: string, args: string[], quiet: boolean): Promise<Finished> {
  return new Promise((resolve) => {
    // Windows finds npm and the .bin commands as .cmd files, which only a shell runs.
    const child = spawn(command, args, { stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit", shell: process.platform === "win32" });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => void (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => void (output += chunk.toString()));
    child.on("error", (error) => resolve({ code: 1, output: `${output}${command}: ${error.message}\n` }));
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

const [types, suite] = await Promise.all([
  run("npm", ["run", "-s", "typecheck"], true),
  run("vitest", ["run", "--config", "test/vitest.config.ts", ...process.argv.slice(2)], false),
]);
if (types.code !== 0) process.stderr.write(`${types.output}\nnpm test: the type check failed (npm run typecheck shows it alone).\n`);
else process.stdout.write("npm test: the type check passed (wrangler types, tsc).\n");
process.exitCode = suite.code || types.code;
