// The capacity model's policy, as wrangler.toml sets it (the top level: every environment states the same
// figures, and test/node/wrangler-config.test.ts checks that they do): how long settled change events are
// kept, and the per-tenant request limit (leases per period, REQUESTS_PER_LEASE requests each). Node only.
import { readFileSync } from "node:fs";
import { parse } from "smol-toml";
import { REQUESTS_PER_LEASE } from "../../http/tenant-rate-limit.ts";
import type { Policy } from "./model.ts";

type Config = {
  vars?: { OUTBOX_RETENTION_DAYS?: string };
  ratelimits?: { name: string; simple: { limit: number; period: number } }[];
};

export function readPolicy(wranglerToml: string | URL = new URL("../../../wrangler.toml", import.meta.url)): Policy {
  const config = parse(readFileSync(wranglerToml, "utf8")) as Config;
  const limit = config.ratelimits?.find((r) => r.name === "TENANT_RATE_LIMIT_LEASES")?.simple;
  if (!limit) throw new Error("wrangler.toml declares no TENANT_RATE_LIMIT_LEASES");
  return {
    retentionDays: Number(config.vars?.OUTBOX_RETENTION_DAYS ?? 30),
    tenantRequestsPerSecond: (limit.limit * REQUESTS_PER_LEASE) / limit.period,
  };
}
