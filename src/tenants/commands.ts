// What the account managers' allow-list commands do, over the ledger and KV ports and nothing else: no
// argv, no printing, no process, no HTTP. The CLI (src/tools/tenants/) and the web console (src/console/)
// both run these, so both apply the same rules. Every write is validated with the Worker's own schema
// (record.ts) first, so nothing can be stored that the gateway would refuse to read. Each command returns
// what changed, field by field, for the caller to show; a command that would change nothing writes nothing.
//
// Every change is recorded in the ledger (ledger.ts) with who made it, when, what changed and why, and only
// if the version it was based on is still the latest: two people editing one tenant never silently
// overwrite each other (the second gets "conflict"). Then the record is published to KV (publish.ts); a
// publish that fails is reported, kept in the history, and retried by the cron.
//
// Refusals are TenantCommandError with a code the callers map to an exit status or an HTTP answer.
import { mintSecretToken, sha256Hex } from "./secret-token.ts";
import { editManagers, isManagerEdit, ManagerEditError, type ManagerChange, type ManagerEdit } from "./manager-edits.ts";
import type { ManagerUsers } from "./manager-users.ts";
import type { AuditEntry } from "./ledger.ts";
import { publishLatest, type PublishOutcome } from "./publish.ts";
import { TENANT_KEY_PREFIX, TenantId, TenantRecord, parseStoredRecord, tenantKey, type AuthMode } from "./record.ts";
import { shardOf, type ShardName } from "./shard.ts";
import { describeIssues, diffRecords, type FieldChange, type TenantAction } from "./record-diff.ts";
import {
  MAX_REASON_LENGTH,
  TenantCommandError,
  type ChangeResult,
  type LedgerState,
  type ListedTenant,
  type ManagerUsersReport,
  type NewTenant,
  type TenantCommandDeps,
  type TenantUpdate,
  type WriteOptions,
} from "./command-types.ts";

export * from "./command-types.ts";
export type { FieldChange, TenantAction } from "./record-diff.ts";
export { describeIssues, describeTokenHash, diffRecords } from "./record-diff.ts";

export function parseTenantId(input: string): string {
  const parsed = TenantId.safeParse(input);
  if (!parsed.success) throw new TenantCommandError("invalid", `"${input}": ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/**
 * Every tenant: the ledger's records, and those only KV holds (approved before the ledger existed; the next
 * change to one records it). Removed tenants are not listed.
 */
export async function listTenants({ ledger, store }: Pick<TenantCommandDeps, "ledger" | "store">): Promise<ListedTenant[]> {
  const recorded = await ledger.list();
  const known = new Set(recorded.map((r) => r.tenantId));
  const fromLedger = recorded.flatMap((r) =>
    r.raw === null ? [] : [listed(r.tenantId, r.raw, { version: r.version, publishedVersion: r.publishedVersion })],
  );
  const onlyInKv = (await store.list(TENANT_KEY_PREFIX))
    .map(({ key, value }) => ({ tenantId: key.slice(TENANT_KEY_PREFIX.length), value }))
    .filter(({ tenantId }) => !known.has(tenantId))
    .map(({ tenantId, value }) => listed(tenantId, value, { version: 0, publishedVersion: 0 }));
  return [...fromLedger, ...onlyInKv].sort((a, b) => (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0));
}

export async function showTenant(deps: Pick<TenantCommandDeps, "ledger" | "store">, tenant: string): Promise<ListedTenant> {
  const tenantId = parseTenantId(tenant);
  const current = await readCurrent(deps, tenantId);
  if (current.raw === undefined) throw notListed(tenantId);
  return listed(tenantId, current.raw, { version: current.version, publishedVersion: current.publishedVersion });
}

/** The audit trail of one tenant, newest first. */
export async function tenantHistory(deps: Pick<TenantCommandDeps, "ledger">, tenant: string, limit?: number): Promise<AuditEntry[]> {
  return deps.ledger.history(parseTenantId(tenant), limit);
}

function listed(tenantId: string, raw: string, ledger: LedgerState): ListedTenant {
  const read = readRecord(raw);
  if (!read.ok) return { tenantId, valid: false, problem: read.problem, raw, ledger };
  return { tenantId, valid: true, record: read.record, ...(read.unknownFields.length ? { unknownFields: read.unknownFields } : {}), ledger };
}

type Current = { version: number; publishedVersion: number; raw: string | undefined };

/** The latest record: the ledger's, or for a tenant it never recorded, KV's as version 0. */
async function readCurrent(deps: Pick<TenantCommandDeps, "ledger" | "store">, tenantId: string): Promise<Current> {
  const recorded = await deps.ledger.get(tenantId);
  if (recorded) return { version: recorded.version, publishedVersion: recorded.publishedVersion, raw: recorded.raw ?? undefined };
  return { version: 0, publishedVersion: 0, raw: await deps.store.get(tenantKey(tenantId)) };
}

/** Refuses a change based on a version that is no longer the latest, naming who changed the tenant since. */
async function refuseIfChanged(deps: TenantCommandDeps, tenantId: string, basedOn: number | undefined, current: Current): Promise<void> {
  if (basedOn === undefined || basedOn === current.version) return;
  throw await conflict(deps, tenantId, basedOn);
}

async function conflict(deps: TenantCommandDeps, tenantId: string, basedOn: number): Promise<TenantCommandError> {
  const since = (await deps.ledger.history(tenantId, 20)).filter((entry) => entry.version > basedOn);
  const who = since.map((e) => `${e.actor.name} (${e.action}, ${e.at})`).join("; ");
  return new TenantCommandError(
    "conflict",
    `Tenant ${tenantId} changed after you read it${who ? `: ${who}` : ""}. Nothing was written; read it again and repeat your change if it still applies.`,
    since,
  );
}

/** Records `raw` (null: removed) on top of `current`, then publishes it; a lost race is a conflict. */
async function recordChange(
  deps: TenantCommandDeps,
  tenantId: string,
  current: Current,
  raw: string | null,
  action: TenantAction,
  changes: FieldChange[],
  options: WriteOptions,
  at: string,
): Promise<{ version: number; publish: PublishOutcome }> {
  const reason = options.reason?.trim().slice(0, MAX_REASON_LENGTH);
  const entry = {
    id: (deps.newId ?? (() => crypto.randomUUID()))(),
    at,
    actor: deps.actor,
    action,
    changes,
    ...(reason ? { reason } : {}),
  };
  if (!(await deps.ledger.commit(tenantId, current.version, raw, entry))) throw await conflict(deps, tenantId, current.version);
  // Published at the change's time: one reading of the clock per command.
  const version = current.version + 1;
  const written = { tenantId, version, raw, updatedAt: at, publishedVersion: current.publishedVersion };
  const publish = await publishLatest({ ledger: deps.ledger, store: deps.store, now: () => new Date(at) }, tenantId, written);
  return { version, publish };
}

export async function addTenant(
  deps: TenantCommandDeps,
  tenant: string,
  input: NewTenant,
  options: WriteOptions & { force?: boolean } = {},
): Promise<ChangeResult> {
  const tenantId = parseTenantId(tenant);
  const current = await readCurrent(deps, tenantId);
  await refuseIfChanged(deps, tenantId, options.basedOn, current);
  const raw = current.raw;
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
  const created = validate({
    accountId: input.accountId,
    name: input.name,
    ...(input.managers !== undefined ? { managers: editManagersOrRefuse(undefined, { add: input.managers }, at).managers } : {}),
    ...(input.callingCodes !== undefined ? { callingCodes: input.callingCodes } : {}),
    enabled: input.enabled ?? true,
    ...(shard !== undefined ? { shard } : {}),
    createdAt: at,
    updatedAt: at,
  });
  const action = raw === undefined ? "added" : "replaced";
  const changes = diffRecords(before?.ok ? before.record : undefined, created);
  const recorded = await recordChange(deps, tenantId, current, JSON.stringify(created), action, changes, options, at);
  return { tenantId, action, changes, record: created, ...recorded };
}

/**
 * The flip of a move between shards (tools/tenants/move/move.ts): the record names the shard its users are on
 * now, recorded in the ledger and published like any change, so a later edit (which starts from the ledger)
 * keeps it. Only a move calls this: anything else changing a record's shard would hide its users.
 */
export function setTenantShard(deps: TenantCommandDeps, tenant: string, shard: ShardName, options: WriteOptions = {}): Promise<ChangeResult> {
  return change(deps, tenant, "updated", options, (current) => ({ ...current, shard }));
}

export async function updateTenant(deps: TenantCommandDeps, tenant: string, update: TenantUpdate, options: WriteOptions = {}): Promise<ChangeResult> {
  let managerChanges: ManagerChange[] = [];
  const result = await change(deps, tenant, "updated", options, (current, at) => {
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
      const edited = editManagersOrRefuse(current.managers, edit, at);
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

export const disableTenant = (deps: TenantCommandDeps, tenant: string, options: WriteOptions = {}) =>
  change(deps, tenant, "disabled", options, (current) => ({ ...current, enabled: false }));

export const enableTenant = (deps: TenantCommandDeps, tenant: string, options: WriteOptions = {}) =>
  change(deps, tenant, "enabled", options, (current) => ({ ...current, enabled: true }));

export async function removeTenant(deps: TenantCommandDeps, tenant: string, options: WriteOptions = {}): Promise<ChangeResult> {
  const tenantId = parseTenantId(tenant);
  const current = await readCurrent(deps, tenantId);
  if (current.raw === undefined) throw notListed(tenantId);
  await refuseIfChanged(deps, tenantId, options.basedOn, current);
  const before = readRecord(current.raw);
  const changes = diffRecords(before.ok ? before.record : undefined, undefined);
  const recorded = await recordChange(deps, tenantId, current, null, "removed", changes, options, deps.now().toISOString());
  return { tenantId, action: "removed", changes, ...recorded };
}

/** Mints a secret token and stores only its SHA-256; the token is in the result and nowhere else. */
export async function issueToken(
  deps: TenantCommandDeps,
  tenant: string,
  options: WriteOptions & { force?: boolean; authMode?: AuthMode } = {},
): Promise<ChangeResult> {
  const tenantId = parseTenantId(tenant);
  const token = mintSecretToken(tenantId, deps.random);
  const hash = await sha256Hex(token);
  const result = await change(deps, tenantId, "token-issued", options, (current) => {
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

export const revokeToken = (deps: TenantCommandDeps, tenant: string, options: WriteOptions = {}) =>
  change(deps, tenant, "token-revoked", options, (current) => {
    if (current.authMode === "secret-token") {
      throw new TenantCommandError(
        "invalid",
        "This tenant accepts only its secret token (auth mode secret-token): revoking it would refuse every call. Replace it with `issue-token --force` (the old one stops working), or allow Entra's tokens again first with `update <tenant> --auth entra-token`.",
      );
    }
    const { secretTokenSha256: _revoked, ...rest } = current;
    return rest;
  });

/** Read, change, validate, record and publish (unless nothing changed), and report the difference. */
async function change(
  deps: TenantCommandDeps,
  tenant: string,
  action: TenantAction,
  options: WriteOptions,
  edit: (current: TenantRecord, at: string) => Record<string, unknown>,
): Promise<ChangeResult> {
  const tenantId = parseTenantId(tenant);
  const current = await readCurrent(deps, tenantId);
  if (current.raw === undefined) throw notListed(tenantId);
  await refuseIfChanged(deps, tenantId, options.basedOn, current);
  const read = readRecord(current.raw);
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
  const at = deps.now().toISOString();
  const edited = validate(edit(read.record, at));
  const changes = diffRecords(read.record, edited);
  if (changes.length === 0) return { tenantId, action: "unchanged", changes, record: read.record };
  const next = validate({ ...edited, createdAt: read.record.createdAt ?? edited.createdAt, updatedAt: at });
  const recorded = await recordChange(deps, tenantId, current, JSON.stringify(next), action, changes, options, at);
  return { tenantId, action, changes, record: next, ...recorded };
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

