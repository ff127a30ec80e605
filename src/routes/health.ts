// GET /health, for uptime checks: the Worker runs and D1 answers a trivial query. No token, no tenant
// data, nothing about the failure beyond which dependency failed (the SQLite error class goes to the
// request log, as for any storage failure).
import { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { sqliteErrorClass } from "../db/storage-errors.ts";
import type { Deps } from "../deps.ts";

/** Every shard must answer (DB, DB_2, ...): one unreachable database fails some tenant's every request. */
export const healthRoutes = (deps: Pick<Deps, "shard" | "shards">) =>
  new Hono<AppEnv>().get("/", async (c) => {
    // Never cached: an uptime check must see the Worker and D1 as they are now.
    c.header("Cache-Control", "no-store");
    try {
      for (const name of deps.shards(c.env)) await deps.shard(c.env, name).$client.prepare("SELECT 1").first();
      return c.json({ status: "ok", d1: "ok" });
    } catch (error) {
      c.set("storageError", sqliteErrorClass(error));
      return c.json({ status: "unavailable", d1: "error" }, 503);
    }
  });
