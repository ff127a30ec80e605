// What the account managers' allow-list commands do, over the storage port and nothing else: no argv, no
// printing, no process. Every write is validated with the Worker's own schema (record.ts) first, so the
// CLI cannot store what the gateway would refuse to read. Each command returns what changed, field by
// field, for the caller to print; a command that would change nothing writes nothing.
//
// Refusals are TenantCommandError with a code the CLI maps to its exit status and --json output.
import type { z } from "zod";
import { mintSecretToken, sha256Hex } from "./secret-token.ts";
import { editManagers, isManagerEdit, ManagerEditError, type ManagerChange, type ManagerEdit, type ManagerRename } from "./manager-edits.ts";
import type { ManagerUsers } from "./manager-users.ts";
import { TENANT_KEY_PREFIX, TenantId, TenantRecord, parseStoredRecord, tenantKey, type AuthMode } from "./record.ts";
import { shardOf } from "./shard.ts";
import type { TenantStore } from "./store.ts";

export type TenantCommandDeps = {
  store: TenantStore;
  now: () => Date;
  /** Fills the secret token's random bytes; Web Crypto unless injected. */
  random?: (bytes: Uint8Array) => Uint8Array;
  /** The tenant's users in D1, to count and move them when managers are removed or renamed. */
  users?: ManagerUsers;
};

export type TenantCommandErrorCode = "invalid" | "not_found" | "exists" | "token_exists" | "stored_record_invalid" | "users_not_moved" | "no_capacity";

export class TenantCommandError extends Error {
  readonly code: TenantCommandErrorCode;
  constructor(code: TenantCommandErrorCode, message: string) {
    super(message);
    this.name = "TenantCommandError";
    this.code = code;
  }
}

/** One field of the record before and after; `undefined` means absent. Hashes are shown as a summary. */
export type FieldChange = { field: string; from: unknown; to: unknown };

export type TenantAction =
  | "added"
  | "replaced"
  | "updated"
  | "disabled"
  | "enabled"
  | "removed"
  | "token-issued"
  | "token-revoked"
  | "unchanged";

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
};

/** Users stored under a removed (retired) or renamed manager's names; a rename also moves them. */
export type ManagerUsersReport =
  | { kind: "retired"; key: string; names: string[]; users: number }
  | { kind: "renamed"; key: string; names: string[]; to: string; users: number; moved: number; remaining: number };

export type ListedTenant =
  /** unknownFields: fields a newer version wrote, which the gateway ignores and this tool does not show. */
  | { tenantId: string; valid: true; record: TenantRecord; unknownFields?: string[] }
  | { tenantId: string; valid: false; problem: string; raw: string };

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

export function parseTenantId(input: string): string {
  const parsed = TenantId.safeParse(input);
  if (!parsed.success) throw new TenantCommandError("invalid", `"${input}": ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export async function listTenants({ store }: TenantCommandDeps): Promise<ListedTenant[]> {
  const entries = await store.list(TENANT_KEY_PREFIX);
  return entries.map(({ key, value }) => {
    const tenantId = key.slice(TENANT_KEY_PREFIX.length);
    return listed(tenantId, value);
  });
}

export async function showTenant(deps: TenantCommandDeps, tenant: string): Promise<ListedTenant> {
  const tenantId = parseTenantId(tenant);
  const raw = await deps.store.get(tenantKey(tenantId));
  if (raw === undefined) throw notListed(tenantId);
  return listed(tenantId, raw);
}

function listed(tenantId: string, raw: string): ListedTenant {
  const read = readRecord(raw);
  if (!read.ok) return { tenantId, valid: false, problem: read.problem, raw };
  return { tenantId, valid: true, record: read.record, ...(read.unknownFields.length ? { unknownFields: read.unknownFields } : {}) };
}

export async function addTenant(
  deps: TenantCommandDeps,
  tenant: string,
  input: NewTenant,
  options: { force?: boolean } = {},
): Promise<ChangeResult> {
  const tenantId = parseTenantId(tenant);
  const raw = await deps.store.get(tenantKey(tenantId));
  if (raw !== undefined && !options.force) {
    throw new TenantCommandError(
      "exists",
      `Tenant ${tenantId} is already on the allow-list. Use \`update\` to change it, or \`add --force\` to replace the whole record.`,
    );
  }
  const before = raw === undefined ? undefined : readRecord(raw);
  // Replacing a record keeps the tenant where its users are: only a move (tenants move) changes its shard.
  const shard = before?.ok ? before.record.shard : input.shard;
  if (before?.ok && input.shard !== undefined && input.shard !== shardOf(before.record)) {
    throw new TenantCommandError(
      "invalid",
      `Tenant ${tenantId}'s users are on shard ${shardOf(before.record)}; replacing its record keeps it there. Move it with \`move ${tenantId} --to ${input.shard}\`.`,
    );
  }
  const at = deps.now().toISOString();
  const names = (input.managers ?? []).map((m) => m.trim().toLowerCase());
  if (new Set(names).size !== names.length) throw new TenantCommandError("invalid", "manager names must be unique");
  const record = validate({
    accountId: input.accountId,
    name: input.name,
    ...(input.managers !== undefined ? { managers: editManagersOrRefuse(undefined, { add: input.managers }, at).managers } : {}),
    ...(input.callingCodes !== undefined ? { callingCodes: input.callingCodes } : {}),
    enabled: input.enabled ?? true,
    ...(shard !== undefined ? { shard } : {}),
    createdAt: at,
    updatedAt: at,
  });
  await deps.store.put(tenantKey(tenantId), JSON.stringify(record));
  return {
    tenantId,
    action: raw === undefined ? "added" : "replaced",
    changes: diffRecords(before?.ok ? before.record : undefined, record),
    record,
  };
}

export async function updateTenant(deps: TenantCommandDeps, tenant: string, update: TenantUpdate): Promise<ChangeResult> {
  let managerChanges: ManagerChange[] = [];
  const result = await change(deps, tenant, "updated", (current) => {
    const next: Record<string, unknown> = { ...current };
    if (update.accountId !== undefined) next.accountId = update.accountId;
    if (update.name !== undefined) next.name = update.name;
    if (update.callingCodes === null) delete next.callingCodes;
    else if (update.callingCodes !== undefined) next.callingCodes = update.callingCodes;
    const edit: ManagerEdit = {
      ...(update.managers !== undefined ? { replace: update.managers } : {}),
      ...(update.addManagers ? { add: update.addManagers } : {}),
      ...(update.removeManagers ? { remove: update.removeManagers } : {}),
      ...(update.renameManagers ? { rename: update.renameManagers } : {}),
      ...(update.removeAliases ? { removeAliases: update.removeAliases } : {}),
    };
    if (isManagerEdit(edit)) {
      const edited = editManagersOrRefuse(current.managers, edit, deps.now().toISOString());
      managerChanges = edited.changes;
      if (edited.managers === undefined) delete next.managers;
      else next.managers = edited.managers;
    }
    if (update.authMode !== undefined) {
      if (update.authMode === "secret-token" && !current.secretTokenSha256) {
        throw new TenantCommandError(
          "invalid",
          `Tenant ${parseTenantId(tenant)} has no secret token, so auth mode secret-token would refuse every call. Issue one first: \`issue-token <tenant> --auth secret-token\`.`,
        );
      }
      next.authMode = update.authMode;
    }
    return next;
  });
  if (!deps.users || !result.record || managerChanges.length === 0) return result;
  return { ...result, managerUsers: await reportManagerUsers(deps.users, result.tenantId, result.record, managerChanges) };
}

function editManagersOrRefuse(...args: Parameters<typeof editManagers>): ReturnType<typeof editManagers> {
  try {
    return editManagers(...args);
  } catch (error) {
    if (error instanceof ManagerEditError) throw new TenantCommandError("invalid", error.message);
    throw error;
  }
}

/**
 * After the record is stored: counts the users under each removed manager, and moves a renamed manager's
 * users to its new name (the record already accepts the old name as an alias, so writes from Entra that
 * race the move land under the new name too).
 */
async function reportManagerUsers(
  users: ManagerUsers,
  tenantId: string,
  record: TenantRecord,
  changes: ManagerChange[],
): Promise<ManagerUsersReport[]> {
  const reports: ManagerUsersReport[] = [];
  try {
    for (const change of changes) {
      if (change.kind === "retired") {
        reports.push({ ...change, users: await users.count(tenantId, record, change.names) });
      } else {
        const stored = await users.count(tenantId, record, change.from);
        const { moved, remaining } = stored ? await users.move(tenantId, record, change.from, change.to) : { moved: 0, remaining: 0 };
        reports.push({ kind: "renamed", key: change.key, names: change.from, to: change.to, users: stored, moved, remaining });
      }
    }
  } catch (error) {
    throw new TenantCommandError(
      "users_not_moved",
      `The allow-list record is updated, but its users in D1 could not be counted or moved (${error instanceof Error ? error.message : String(error)}). Run the same command again: it picks up where this one stopped.`,
    );
  }
  return reports;
}

export const disableTenant = (deps: TenantCommandDeps, tenant: string) =>
  change(deps, tenant, "disabled", (current) => ({ ...current, enabled: false }));

export const enableTenant = (deps: TenantCommandDeps, tenant: string) =>
  change(deps, tenant, "enabled", (current) => ({ ...current, enabled: true }));

export async function removeTenant(deps: TenantCommandDeps, tenant: string): Promise<ChangeResult> {
  const tenantId = parseTenantId(tenant);
  const raw = await deps.store.get(tenantKey(tenantId));
  if (raw === undefined) throw notListed(tenantId);
  const before = readRecord(raw);
  await deps.store.delete(tenantKey(tenantId));
  return { tenantId, action: "removed", changes: diffRecords(before.ok ? before.record : undefined, undefined) };
}

/** Mints a secret token and stores only its SHA-256; the token is in the result and nowhere else. */
export async function issueToken(
  deps: TenantCommandDeps,
  tenant: string,
  options: { force?: boolean; authMode?: AuthMode } = {},
): Promise<ChangeResult> {
  const tenantId = parseTenantId(tenant);
  const token = mintSecretToken(tenantId, deps.random);
  const hash = await sha256Hex(token);
  const result = await change(deps, tenantId, "token-issued", (current) => {
    if (current.secretTokenSha256 && !options.force) {
      throw new TenantCommandError(
        "token_exists",
        `Tenant ${tenantId} already has a secret token. \`issue-token --force\` replaces it (the old one stops working), \`revoke-token\` removes it.`,
      );
    }
    return { ...current, secretTokenSha256: hash, ...(options.authMode ? { authMode: options.authMode } : {}) };
  });
  return { ...result, token };
}

export const revokeToken = (deps: TenantCommandDeps, tenant: string) =>
  change(deps, tenant, "token-revoked", (current) => {
    if (current.authMode === "secret-token") {
      throw new TenantCommandError(
        "invalid",
        "This tenant accepts only its secret token (auth mode secret-token): revoking it would refuse every call. Replace it with `issue-token --force` (the old one stops working), or allow Entra's tokens again first with `update <tenant> --auth entra-token`.",
      );
    }
    const { secretTokenSha256: _revoked, ...rest } = current;
    return rest;
  });

/** Read, change, validate, write (unless nothing changed), and report the difference. */
async function change(
  deps: TenantCommandDeps,
  tenant: string,
  action: TenantAction,
  edit: (current: TenantRecord) => Record<string, unknown>,
): Promise<ChangeResult> {
  const tenantId = parseTenantId(tenant);
  const raw = await deps.store.get(tenantKey(tenantId));
  if (raw === undefined) throw notListed(tenantId);
  const read = readRecord(raw);
  if (!read.ok) {
    throw new TenantCommandError(
      "stored_record_invalid",
      `The stored record of ${tenantId} is not valid (${read.problem}), so the gateway refuses this tenant. Replace it with \`add --force\`.`,
    );
  }
  // The gateway reads past fields it does not know, but this CLI writes only what it knows: editing such a
  // record (written by a newer version of this tool) would silently drop them.
  if (read.unknownFields.length) {
    throw new TenantCommandError(
      "stored_record_invalid",
      `The stored record of ${tenantId} has fields this version of the tool does not know (${read.unknownFields.join(", ")}); changing it here would drop them. Use the version that wrote them (update your checkout), or replace the whole record with \`add --force\`.`,
    );
  }
  const edited = validate(edit(read.record));
  const changes = diffRecords(read.record, edited);
  if (changes.length === 0) return { tenantId, action: "unchanged", changes, record: read.record };
  const record = validate({ ...edited, createdAt: read.record.createdAt ?? edited.createdAt, updatedAt: deps.now().toISOString() });
  await deps.store.put(tenantKey(tenantId), JSON.stringify(record));
  return { tenantId, action, changes, record };
}

function validate(candidate: Record<string, unknown>): TenantRecord {
  const parsed = TenantRecord.safeParse(candidate);
  if (!parsed.success) throw new TenantCommandError("invalid", describeIssues(parsed.error));
  return parsed.data;
}

function readRecord(raw: string): { ok: true; record: TenantRecord; unknownFields: string[] } | { ok: false; problem: string } {
  const stored = parseStoredRecord(raw);
  if (stored.ok) return stored;
  return { ok: false, problem: stored.issues ? describeIssues(stored.issues) : "the value is not JSON" };
}

const notListed = (tenantId: string) =>
  new TenantCommandError("not_found", `Tenant ${tenantId} is not on the allow-list (add it with \`add\`).`);

/** The fields people care about, in the order they are shown; timestamps are bookkeeping, not changes. */
const SHOWN_FIELDS = ["accountId", "name", "managers", "callingCodes", "enabled", "secretTokenSha256", "authMode", "shard"] as const;

export function diffRecords(before: TenantRecord | undefined, after: TenantRecord | undefined): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of SHOWN_FIELDS) {
    const from = before?.[field];
    const to = after?.[field];
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    if (field === "secretTokenSha256") {
      changes.push({ field: "secretToken", from: describeTokenHash(from as string | undefined), to: describeTokenHash(to as string | undefined) });
    } else {
      changes.push({ field, from, to });
    }
  }
  return changes;
}

/** "none", or "issued (sha256 1a2b3c4d...)": enough to tell two tokens apart, not a secret. */
export const describeTokenHash = (hash: string | undefined): string =>
  hash ? `issued (sha256 ${hash.slice(0, 8)}...)` : "none";

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join(".");
      return path && !issue.message.startsWith(path) ? `${path}: ${issue.message}` : issue.message;
    })
    .join("; ");
}
