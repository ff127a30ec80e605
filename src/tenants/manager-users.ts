// The allow-list commands' port to the users in D1, for what a manager change means for them: how many are
// stored under a removed manager, and moving a renamed manager's users to the new name. The CLI implements
// it with wrangler (src/users/manager-moves.ts); without it (a store-only caller) nothing is counted or moved.
import type { TenantRecord } from "./record.ts";

export type ManagerUsers = {
  /** Users of the tenant stored under any of `names` (compared ignoring ASCII case), in the shard its record names. */
  count(tenantId: string, record: TenantRecord, names: readonly string[]): Promise<number>;
  /** Moves the users stored under `from` to `to`; how many moved, and how many are still under `from`. */
  move(tenantId: string, record: TenantRecord, from: readonly string[], to: string): Promise<{ moved: number; remaining: number }>;
};
