// The tenants CLI's arguments: which options each command takes, and the small parsers that turn them into
// the commands' inputs or a usage error (exit 2). Kept apart from cli.ts, which runs the commands.
import type { ParseArgsConfig } from "node:util";
import { type Environments, unknownEnvironment } from "../wrangler/environments.ts";
import type { WranglerTarget } from "../wrangler/kv-store.ts";
import { AUTH_MODES, type AuthMode } from "../../tenants/record.ts";
import type { ManagerRename } from "../../tenants/manager-edits.ts";

export type Options = ParseArgsConfig["options"] & {};

export const WHERE_OPTIONS: Options = {
  remote: { type: "boolean" },
  env: { type: "string" },
  "persist-to": { type: "string" },
  config: { type: "string" },
  json: { type: "boolean" },
  yes: { type: "boolean", short: "y" },
  help: { type: "boolean", short: "h" },
};

/** Every command that writes takes a reason, kept in the audit trail. */
const REASON: Options = { reason: { type: "string" } };

export const COMMAND_OPTIONS: Record<string, Options> = {
  list: {},
  activity: {},
  doctor: {},
  show: { host: { type: "string" } },
  history: { limit: { type: "string" } },
  add: {
    ...REASON,
    account: { type: "string" },
    name: { type: "string" },
    manager: { type: "string", multiple: true },
    "any-manager": { type: "boolean" },
    "calling-code": { type: "string", multiple: true },
    disabled: { type: "boolean" },
    force: { type: "boolean" },
    shard: { type: "string" },
  },
  update: {
    ...REASON,
    account: { type: "string" },
    name: { type: "string" },
    manager: { type: "string", multiple: true },
    "add-manager": { type: "string", multiple: true },
    "remove-manager": { type: "string", multiple: true },
    "rename-manager": { type: "string", multiple: true },
    "remove-alias": { type: "string", multiple: true },
    "any-manager": { type: "boolean" },
    auth: { type: "string" },
    "calling-code": { type: "string", multiple: true },
    "any-calling-code": { type: "boolean" },
  },
  disable: { ...REASON },
  enable: { ...REASON },
  remove: { ...REASON },
  "issue-token": { ...REASON, force: { type: "boolean" }, auth: { type: "string" } },
  "revoke-token": { ...REASON },
  move: { ...REASON, to: { type: "string" }, rollback: { type: "boolean" }, "stop-after": { type: "string" } },
};

export const READ_ONLY = new Set(["list", "show", "history", "activity", "doctor"]);

export class UsageError extends Error {}

export function targetOf(values: Record<string, unknown>, environmentsOf?: (config: string | undefined) => Environments | undefined): WranglerTarget {
  const env = typeof values.env === "string" ? values.env.trim() : undefined;
  const remote = values.remote === true;
  // Guards against writing to the wrong place: `--env production` without `--remote` would quietly edit a
  // local copy, and `--remote` alone would address the placeholder namespace of the local configuration.
  if (remote && !env) throw new UsageError("--remote needs --env <name> (staging or production)");
  if (env && !remote) throw new UsageError(`--env names a Cloudflare environment; add --remote to edit its allow-list`);
  if (remote && values["persist-to"]) throw new UsageError("--persist-to is for the local allow-list only");
  const environments = env ? environmentsOf?.(typeof values.config === "string" ? values.config : undefined) : undefined;
  const unknown = env && environments ? unknownEnvironment(env, environments) : undefined;
  if (unknown) throw new UsageError(unknown);
  return {
    remote,
    ...(env ? { env } : {}),
    ...(typeof values["persist-to"] === "string" ? { persistTo: values["persist-to"] } : {}),
    ...(typeof values.config === "string" ? { config: values.config } : {}),
  };
}

export function onlyTenant(positionals: string[]): string {
  if (positionals.length === 0) throw new UsageError("name the tenant: its Entra tenant id (a GUID)");
  if (positionals.length > 1) throw new UsageError(`one tenant at a time (got ${positionals.length})`);
  return positionals[0] as string;
}

export function authModeOf(value: unknown): AuthMode {
  const mode = AUTH_MODES.find((m) => m === value);
  if (!mode) throw new UsageError(`--auth takes one of ${AUTH_MODES.join(", ")}`);
  return mode;
}

export const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/** "OLD=NEW", split at the first "=". */
export function parseRename(text: string): ManagerRename {
  const at = text.indexOf("=");
  const from = at < 0 ? "" : text.slice(0, at).trim();
  const to = at < 0 ? "" : text.slice(at + 1).trim();
  if (!from || !to) throw new UsageError(`--rename-manager takes "OLD=NEW" (got "${text}")`);
  return { from, to };
}
