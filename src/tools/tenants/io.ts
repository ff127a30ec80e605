// What runTenantsCli (cli.ts) is given: the allow-list, the ledger, D1 and the shards through wrangler, the
// terminal and the clock. main.ts wires the real ones; the tests give stand-ins.
import type { Environments } from "../wrangler/environments.ts";
import type { QueryD1 } from "./activity.ts";
import type { ManagerUsers } from "../../tenants/manager-users.ts";
import type { TenantStore } from "../../tenants/store.ts";
import type { TenantLedger } from "../../tenants/ledger.ts";
import type { WranglerTarget } from "../wrangler/kv-store.ts";
import type { CapacityFigures } from "../capacity/model.ts";
import type { ShardSizes } from "./shard-sizes.ts";
import type { ShardName } from "../../tenants/shard.ts";
import type { MovePorts } from "./move/move.ts";

export type TenantsCliIo = {
  openStore: (target: WranglerTarget) => TenantStore;
  /** The ledger of changes (the control plane's D1, through wrangler): serialises edits, keeps the history. */
  openLedger: (target: WranglerTarget) => TenantLedger;
  /** Who is making changes, for the audit trail (actor.ts); asked only by commands that write. */
  actor: (target: WranglerTarget) => Promise<string>;
  /** The tenant's users in D1 (through wrangler), to count and move them when managers change. */
  openUsers?: (target: WranglerTarget) => ManagerUsers;
  /** The shards of the target environment and how full each is (shard-sizes.ts): for add and list. */
  openShards?: (target: WranglerTarget) => ShardSizes;
  /** The statement port and clock a live move between shards runs on (move/move.ts); absent: no move. */
  openMoves?: (target: WranglerTarget) => Pick<MovePorts, "execute" | "sleep"> & { shards: readonly ShardName[] };
  /** The capacity model's figures (docs/capacity.md), by which add places a new tenant. */
  capacity?: () => CapacityFigures;
  /** The gateway host `show` names in Tenant URLs when --host does not say (gateway-host.ts). */
  gatewayHost?: (target: WranglerTarget) => string | undefined;
  /** SQL on the target's D1 (through wrangler): the activity, the doctor and the list's activity columns. */
  queryD1?: QueryD1;
  /** The shards of the target environment (wrangler.toml), DB first: list reads every shard's activity. */
  shardsOf?: (target: WranglerTarget) => readonly ShardName[];
  /** The environments of the wrangler.toml at this path (default wrangler.toml), to check --env against. */
  environments?: (config: string | undefined) => Environments | undefined;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Asks a yes/no question; resolves false on anything but yes, or when there is no one to ask. */
  confirm: (question: string) => Promise<boolean>;
  now?: () => Date;
  random?: (bytes: Uint8Array) => Uint8Array;
};
