// npm test: the type check (`npm run typecheck`: wrangler types, then tsc) beside the whole vitest suite
// instead of before it: the suite is bound by CPU, and side by side the check costs it its CPU time rather than
// its wall time. tsc is TypeScript 7's native compiler: on this project 3.7 s and 7 s of CPU with nothing cached
// (a clean clone; 5.9 took 16 s and 26 s of CPU), 0.9 s with its build info. The type check's output is printed
// after the suite's, and either failing fails npm test. Arguments go to vitest.
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
