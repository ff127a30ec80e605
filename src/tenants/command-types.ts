// The vocabulary of the allow-list commands (commands.ts): what they need, what they return, how they
// refuse. Kept apart so the commands file holds the rules and nothing else.
import type { ManagerRename } from "./manager-edits.ts";
import type { ManagerUsers } from "./manager-users.ts";
import type { Actor, AuditEntry, TenantLedger } from "./ledger.ts";
import type { PublishOutcome } from "./publish.ts";
import type { AuthMode, TenantRecord } from "./record.ts";
import type { FieldChange, TenantAction } from "./record-diff.ts";
import type { TenantStore } from "./store.ts";

export type TenantCommandDeps = {
  /** Where changes are recorded, serialised and kept with their history (the control plane's D1). */
  ledger: TenantLedger;
  /** KV: what the gateway reads; every recorded change is published to it. */
  store: TenantStore;
  /** Who runs the commands, for the audit trail. */
  actor: Actor;
  now: () => Date;
  /** Ids of audit entries; crypto.randomUUID unless injected. */
  newId?: () => string;
  /** Fills the secret token's random bytes; Web Crypto unless injected. */
  random?: (bytes: Uint8Array) => Uint8Array;
  /** The tenant's users in D1, to count and move them when managers are removed or renamed. */
  users?: ManagerUsers;
};

export type TenantCommandErrorCode =
  | "invalid"
  | "not_found"
  | "exists"
  | "token_exists"
  | "stored_record_invalid"
  | "users_not_moved"
  | "conflict"
  | "no_capacity";

export class TenantCommandError extends Error {
  readonly code: TenantCommandErrorCode;
  /** For "conflict": the changes recorded since the version the refused change was based on, newest first. */
  readonly changedSince: AuditEntry[];
  constructor(code: TenantCommandErrorCode, message: string, changedSince: AuditEntry[] = []) {
    super(message);
    this.name = "TenantCommandError";
    this.code = code;
    this.changedSince = changedSince;
  }
}

/** What every write may say besides its change. */
export type WriteOptions = {
  /** Why, in the person's words; kept in the audit trail. */
  reason?: string;
  /**
   * The version the person saw before deciding (the console's forms carry it): the change is refused with
   * "conflict" if the tenant changed since. Without it, the version read by the command itself.
   */
  basedOn?: number;
};

/** The longest reason kept. */
export const MAX_REASON_LENGTH = 500;

export type ChangeResult = {
  tenantId: string;
  action: TenantAction;
  changes: FieldChange[];
  /** The record as stored after the command; absent after `remove`. */
  record?: TenantRecord;
  /** Only from issue-token: the one and only time the token is shown. */
  token?: string;
  /** From update: the users stored under each removed or renamed manager, and what was done with them. */
  managerUsers?: ManagerUsersReport[];
  /** The version recorded (absent when nothing changed). */
  version?: number;
  /** Whether the recorded version reached KV; when not, the cron retries it. */
  publish?: PublishOutcome;
};

/** Users stored under a removed (retired) or renamed manager's names; a rename also moves them. */
export type ManagerUsersReport =
  | { kind: "retired"; key: string; names: string[]; users: number }
  | { kind: "renamed"; key: string; names: string[]; to: string; users: number; moved: number; remaining: number };

/** A tenant's place in the ledger: its version (0: approved before the ledger, not recorded yet) and KV's. */
export type LedgerState = { version: number; publishedVersion: number };

export type ListedTenant = (
  /** unknownFields: fields a newer version wrote, which the gateway ignores and this tool does not show. */
  | { tenantId: string; valid: true; record: TenantRecord; unknownFields?: string[] }
  | { tenantId: string; valid: false; problem: string; raw: string }
) & { ledger?: LedgerState };

/** `shard`: the D1 binding its users go to (tenants/shard.ts); the CLI places it by the capacity rule. */
export type NewTenant = { accountId: string; name: string; managers?: string[]; enabled?: boolean; callingCodes?: string[]; shard?: string };

export type TenantUpdate = {
  accountId?: string;
  name?: string;
  /** Replaces the list; `null` drops it, so any displayName is accepted. */
  managers?: string[] | null;
  addManagers?: string[];
  removeManagers?: string[];
  authMode?: AuthMode;
  /** Renames keep the manager's key, and the old name as an alias; its users in D1 move to the new name. */
  renameManagers?: ManagerRename[];
  removeAliases?: string[];
  /** Replaces the allowed country calling codes; `null` drops them (any number). */
  callingCodes?: string[] | null;
};
