// The allow-list port through wrangler's KV commands, so the CLI reaches the local KV that `npm start`
// uses and, with --remote, Cloudflare's, reusing the operator's `wrangler login`. Node only.
//
// Reads go through `wrangler kv bulk get`, whose JSON says "no value" as null. (`kv key get` prints the
// words "Value not found" locally and fails with an HTTP 404 remotely; neither is a clean signal.) Writes
// pass the value in a file (--path), so no JSON is ever parsed as command-line flags.
import type { StoredEntry, TenantStore } from "../../tenants/store.ts";
import { withTempFile } from "../temp-file.ts";
import { parseJsonOutput, runWrangler, targetFlags, WranglerError, type RunWrangler, type WranglerTarget } from "./run.ts";

export type { WranglerTarget } from "./run.ts";

export const KV_BINDING = "TENANTS";
/** Cloudflare's bulk read takes at most 100 keys per request. */
const BULK_GET_MAX = 100;

export function createWranglerKvStore(target: WranglerTarget, run: RunWrangler = runWrangler): TenantStore {
  const where = targetArgs(target);
  const kv = async (args: string[]): Promise<string> => {
    const result = await run(["kv", ...args, ...where]);
    if (result.status !== 0) throw new WranglerError(`kv ${args.slice(0, 2).join(" ")}`, result);
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
  return ["--binding", KV_BINDING, ...targetFlags(target)];
}

/** Locally wrangler prints `{ key: { value } }`; Cloudflare's API answers `{ key: value }`. */
function bulkValue(value: unknown): string | null {
  const inner = typeof value === "object" && value !== null && "value" in value ? (value as { value: unknown }).value : value;
  if (inner === null || inner === undefined) return null;
  return typeof inner === "string" ? inner : JSON.stringify(inner);
}
