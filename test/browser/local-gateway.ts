// Starts `npm start` (src/tools/dev/start.ts: wrangler dev, the core emulator and the console behind the
// local stand-in for Cloudflare Access) on free ports and a throwaway state directory, for the browser tests,
// and stops the whole process group afterwards. Resolves once the SCIM host and the console both answer.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export type LocalGateway = { scimOrigin: string; consoleUrl: string; output: () => string; stop: () => Promise<void> };

/** Where the browser tests look for Chromium: CHROMIUM_PATH, else Debian's package. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const chromiumFound = (): boolean => existsSync(CHROMIUM_PATH);

const READY_TIMEOUT_MS = 180_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startLocalGateway(root: string): Promise<LocalGateway> {
  const [port, corePort, consolePort] = [await freePort(), await freePort(), await freePort()];
  const state = mkdtempSync(join(tmpdir(), "console-browser-"));
  let log = "";
  const child: ChildProcess = spawn(process.execPath, ["src/tools/dev/start.ts", "--persist-to", join(state, "state")], {
    cwd: root,
    detached: true, // its own process group: stop() ends wrangler, workerd and the emulators with it
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      PATH: `${join(root, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`,
      WRANGLER_SEND_METRICS: "false",
      FORCE_COLOR: "0",
      PORT: String(port),
      CORE_EMULATOR_PORT: String(corePort),
      CONSOLE_PORT: String(consolePort),
    },
  });
  child.stdout?.on("data", (chunk: Buffer) => void (log += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => void (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    rmSync(state, { recursive: true, force: true });
  };

  const scimOrigin = `http://127.0.0.1:${port}`;
  const consoleUrl = `http://localhost:${consolePort}/`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}):\n${log}`);
      if (Date.now() > deadline) throw new Error(`npm start not ready after ${READY_TIMEOUT_MS / 1000} s:\n${log}`);
      const health = await fetch(`${scimOrigin}/health`).catch(() => undefined);
      const signIn = await fetch(consoleUrl, { redirect: "manual" }).catch(() => undefined);
      if (health?.ok && signIn?.status === 302) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    if (!log.includes(`Console:              ${consoleUrl}`)) throw new Error(`npm start did not print the console's URL ${consoleUrl}:\n${log}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { scimOrigin, consoleUrl, output: () => log, stop };
}
