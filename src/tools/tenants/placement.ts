// Which shard `npm run tenants -- add` puts a new tenant on (issue 15 §2): the one --shard names (it must be
// a shard of the target environment), else the one where the tenant already has users (a tenant removed and
// approved again finds its users where they are; placing it elsewhere would hide them, and Entra would create
// them again under new ids), else the one with the most headroom by the capacity rule (docs/capacity.md,
// src/tools/capacity/model.ts placeTenant). Without the shards' sizes (a caller that passes no D1 port) the
// record names no shard, which means DB.
import { TenantCommandError } from "../../tenants/commands.ts";
import { isShardName, type ShardName } from "../../tenants/shard.ts";
import { placeTenant, type CapacityFigures, type Placement } from "../capacity/model.ts";
import type { ShardSizes } from "./shard-sizes.ts";

export type ShardChoice = { shard?: ShardName; why: "named" | "existing users" | "capacity rule" | "no shard sizes"; placement?: Placement };

export class ShardUsageError extends Error {}

export async function chooseShard(
  tenantId: string,
  requested: string | undefined,
  sizes: ShardSizes | undefined,
  figures: CapacityFigures | undefined,
): Promise<ShardChoice> {
  if (requested !== undefined) {
    if (!isShardName(requested)) throw new ShardUsageError(`--shard names a D1 binding of wrangler.toml: DB, DB_2, ... (got "${requested}")`);
    if (sizes && !sizes.shards.includes(requested)) {
      throw new ShardUsageError(`--shard ${requested}: this environment of wrangler.toml declares ${sizes.shards.join(", ")}`);
    }
    return { shard: requested, why: "named" };
  }
  if (!sizes || !figures) return { why: "no shard sizes" };
  const surveys = [];
  for (const shard of sizes.shards) {
    try {
      surveys.push({ shard, ...(await sizes.survey(shard, tenantId)) });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new TenantCommandError("no_capacity", `Could not read how full shard ${shard} is (${why}). Migrate every shard (npm run db:migrate), or name the shard with --shard.`);
    }
  }
  const home = surveys.find((s) => s.tenant.users > 0 || s.tenant.events > 0);
  if (home) return { shard: home.shard, why: "existing users" };
  const placement = placeTenant(surveys.map((s) => s.load), figures);
  if (!placement.ok) throw new TenantCommandError("no_capacity", placement.reason);
  return { shard: placement.shard, why: "capacity rule", placement };
}
