// The one seam for what varies (issue 13 §2): the outside world the Worker talks to and the sources of
// time, chance and identity. worker.ts builds one Deps from what src/index.ts passes (the runtime's own
// fetch, clock, randomness, crypto.randomUUID, a setTimeout sleep, the console log) or from what a test
// passes (the core emulator, a clock it moves, seeded randomness), and hands the same Deps to the app, the
// queue consumer and the cron. Nothing else in the Worker reads the clock, draws random numbers, mints ids,
// sleeps, writes a log line or opens a database on its own.
import type { Db } from "./db/client.ts";
import type { ShardEnv } from "./db/shards.ts";
import type { Log } from "./log.ts";
import type { TenantRecord } from "./tenants/record.ts";
import type { ShardName } from "./tenants/shard.ts";

export type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** The storage bindings a database handle is opened on: the shards (DB, DB_2, ...), found by name. */
export type StorageEnv = ShardEnv;

export type Deps = {
  /** Outbound HTTP: the TeleMessage core, and Microsoft's signing keys. */
  fetch: Fetch;
  now: () => Date;
  /** A number in [0, 1): the jitter of retries and backoffs. */
  random: () => number;
  /** A fresh unique id: users and change events. */
  newId: () => string;
  sleep: (ms: number) => Promise<void>;
  log: Log;
  /**
   * The database that holds a tenant's users and their outbox: the shard its allow-list record names
   * (tenants/shard.ts shardOf, the one resolution of a tenant to its database). It takes the record, which
   * every request already holds (the tenant guard read it), so finding the database costs nothing.
   */
  database: (env: StorageEnv, tenant: { record: Pick<TenantRecord, "shard"> }) => Db;
  /** A shard by name: the queue consumer (each message names the shard its event lives in) and the cron. */
  shard: (env: StorageEnv, name: ShardName) => Db;
  /** Every shard's name, DB first: for what sweeps every database (the cron, dead letters, /health). */
  shards: (env: StorageEnv) => readonly ShardName[];
  /**
   * The control plane: the allow-list's ledger and audit trail (tenant_records, tenant_audit) and the moves
   * between shards (tenant_moves), which are not any tenant's data. Always the FIRST database (DB), whatever
   * shard a tenant's users live in.
   */
  controlPlane: (env: StorageEnv) => Db;
};
