// The one seam for what varies (issue 13 §2): the outside world the Worker talks to and the sources of
// time, chance and identity. worker.ts builds one Deps from what src/index.ts passes (the runtime's own
// fetch, clock, randomness, crypto.randomUUID, a setTimeout sleep, the console log) or from what a test
// passes (the core emulator, a clock it moves, seeded randomness), and hands the same Deps to the app, the
// queue consumer and the cron. Nothing else in the Worker reads the clock, draws random numbers, mints ids,
// sleeps, writes a log line or opens a database on its own.
import type { Db } from "./db/client.ts";
import type { Log } from "./log.ts";

export type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** The storage bindings a database handle is opened on. */
export type StorageEnv = Pick<Env, "DB">;

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
   * The database that holds a tenant's users and their outbox. Today every tenant's is the DB binding;
   * placing tenants on several databases changes this one place.
   */
  database: (env: StorageEnv, tenantId: string) => Db;
  /** Every database, for what sweeps the whole outbox rather than one tenant (the cron, dead letters). */
  databases: (env: StorageEnv) => readonly Db[];
  /**
   * The control plane: the allow-list's ledger and audit trail (tenant_records, tenant_audit), which are
   * not any tenant's data. Always the FIRST database, whatever database a tenant's users live in.
   */
  controlPlane: (env: StorageEnv) => Db;
};
