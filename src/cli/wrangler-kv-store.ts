// The allow-list port through wrangler's KV commands, so the CLI reaches the local KV that `npm start`
// uses and, with --remote, Cloudflare's, reusing the operator's `wrangler login`. Node only.
//
// Reads go through `wrangler kv bulk get`, whose JSON says "no value" as null. (`kv key get` prints the
// words "Value not found" locally and fails with an HTTP 404 remotely; neither is a clean signal.) Writes
// pass the value in a file (--path), so no JSON is ever parsed as command-line flags.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StoredEntry, TenantStore } from "../tenants/store.ts";

export type WranglerTarget = {
  /** Cloudflare's KV (needs `env`) instead of the local one. */
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

export const KV_BINDING = "TENANTS";
/** Cloudflare's bulk read takes at most 100 keys per request. */
const BULK_GET_MAX = 100;

export function createWranglerKvStore(target: WranglerTarget, run: RunWrangler = runWrangler): TenantStore {
  const where = targetArgs(target);
  const kv = async (args: string[]): Promise<string> => {
    const result = await run(["kv", ...args, ...where]);
    if (result.status !== 0) throw new WranglerError(args.slice(0, 2), result);
    return result.stdout;
  };

  const getMany = async (keys: string[]): Promise<Map<string, string | null>> => {
    const values = new Map<string, string | null>();
    for (let i = 0; i < keys.length; i += BULK_GET_MAX) {
      const chunk = keys.slice(i, i + BULK_GET_MAX);
      const output = await withTempFile(JSON.stringify(chunk), (path) => kv(["bulk", "get", path]));
      for (const [key, value] of Object.entries(parseJsonOutput(output) as Record<string, unknown>)) {
        values.set(key, bulkValue(value));
      }
    }
    return values;
  };

  return {
    async get(key) {
      return (await getMany([key])).get(key) ?? undefined;
    },
    async put(key, value) {
      await withTempFile(value, (path) => kv(["key", "put", key, "--path", path]));
    },
    async delete(key) {
      await kv(["key", "delete", key]);
    },
    async list(prefix) {
      const listed = parseJsonOutput(await kv(["key", "list", "--prefix", prefix])) as { name: string }[];
      const keys = listed.map((k) => k.name).sort();
      if (keys.length === 0) return [];
      const values = await getMany(keys);
      const entries: StoredEntry[] = [];
      for (const key of keys) {
        const value = values.get(key);
        if (typeof value === "string") entries.push({ key, value });
      }
      return entries;
    },
  };
}

export function targetArgs(target: WranglerTarget): string[] {
  return [
    "--binding",
    KV_BINDING,
    target.remote ? "--remote" : "--local",
    ...(target.env ? ["--env", target.env] : []),
    ...(target.persistTo ? ["--persist-to", target.persistTo] : []),
    ...(target.config ? ["--config", target.config] : []),
  ];
}

/** Locally wrangler prints `{ key: { value } }`; Cloudflare's API answers `{ key: value }`. */
function bulkValue(value: unknown): string | null {
  const inner = typeof value === "object" && value !== null && "value" in value ? (value as { value: unknown }).value : value;
  if (inner === null || inner === undefined) return null;
  return typeof inner === "string" ? inner : JSON.stringify(inner);
}

/** The JSON document in wrangler's stdout, skipping any banner or notice lines before it. */
export function parseJsonOutput(stdout: string): unknown {
  const start = stdout.search(/^[[{]/m);
  if (start < 0) throw new Error(`wrangler printed no JSON: ${stdout.slice(0, 200)}`);
  return JSON.parse(stdout.slice(start));
}

export class WranglerError extends Error {
  readonly status: number;
  constructor(command: string[], result: WranglerResult) {
    const output = stripAnsi(`${result.stderr}\n${result.stdout}`)
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !/^[⛅─]|update available|^Resource location|^Use --remote/.test(line));
    super(`wrangler kv ${command.join(" ")} failed (exit ${result.status}): ${output.slice(-6).join(" ") || "no output"}`);
    this.name = "WranglerError";
    this.status = result.status;
  }
}

const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "");

async function withTempFile<T>(content: string, use: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "tenants-"));
  try {
    const path = join(dir, "value");
    await writeFile(path, content, { mode: 0o600 });
    return await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
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
