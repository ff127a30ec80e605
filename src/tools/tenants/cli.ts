// `npm run tenants -- <command>`: argv in, exit status out. Parses the options of each command, runs the
// command from tenants/commands.ts against the store it is given, and prints the result for a person or,
// with --json, for a script. The store, the clock, the prompt and the output are injected (main.ts
// wires the real ones), so this runs the same in tests as on an account manager's laptop.
import { parseArgs, type ParseArgsConfig } from "node:util";
import {
  addTenant,
  parseTenantId,
  disableTenant,
  enableTenant,
  issueToken,
  listTenants,
  removeTenant,
  revokeToken,
  showTenant,
  TenantCommandError,
  updateTenant,
  type ChangeResult,
  type TenantCommandDeps,
} from "../../tenants/commands.ts";
import { AUTH_MODES, type AuthMode } from "../../tenants/record.ts";
import { parseCallingCodes } from "../../tenants/calling-codes.ts";
import type { ManagerRename } from "../../tenants/manager-edits.ts";
import type { ManagerUsers } from "../../tenants/manager-users.ts";
import type { TenantStore } from "../../tenants/store.ts";
import { parseGatewayHost } from "./gateway-host.ts";
import { COMMAND_USAGE, PROPAGATION_NOTE, TENANTS_USAGE } from "./help.ts";
import { authModeAdvice, describeTarget, managerTenantUrls, renderChange, renderList, renderPlacement, renderShow, SWITCH_TO_SECRET_TOKEN_QUESTION } from "./output.ts";
import type { WranglerTarget } from "../wrangler/kv-store.ts";
import type { CapacityFigures } from "../capacity/model.ts";
import { chooseShard, ShardUsageError } from "./placement.ts";
import type { ShardSizes, TenantSize } from "./shard-sizes.ts";
import { tenantKey } from "../../tenants/record.ts";
import { isShardName, shardOf, type ShardName } from "../../tenants/shard.ts";
import { LOCAL_SETTLE_MS, MOVE_STEPS, MoveError, moveTenant, rollbackMove, SETTLE_MS, type MovePorts, type MoveStep } from "./move/move.ts";

export type TenantsCliIo = {
  openStore: (target: WranglerTarget) => TenantStore;
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
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Asks a yes/no question; resolves false on anything but yes, or when there is no one to ask. */
  confirm: (question: string) => Promise<boolean>;
  now?: () => Date;
  random?: (bytes: Uint8Array) => Uint8Array;
};

export const EXIT_OK = 0;
export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;

export const LOCAL_NOTE = "The local gateway (npm start) sees the change within a few seconds.";

type Options = ParseArgsConfig["options"] & {};

const WHERE_OPTIONS: Options = {
  remote: { type: "boolean" },
  env: { type: "string" },
  "persist-to": { type: "string" },
  config: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

const COMMAND_OPTIONS: Record<string, Options> = {
  list: {},
  show: { host: { type: "string" } },
  add: {
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
  disable: {},
  enable: {},
  remove: { yes: { type: "boolean", short: "y" } },
  "issue-token": { force: { type: "boolean" }, auth: { type: "string" } },
  "revoke-token": {},
  move: { to: { type: "string" }, rollback: { type: "boolean" }, "stop-after": { type: "string" } },
};

class UsageError extends Error {}

export async function runTenantsCli(argv: string[], io: TenantsCliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    const topic = command === "help" ? rest[0] : undefined;
    io.stdout(`${(topic && COMMAND_USAGE[topic]) || TENANTS_USAGE}\n`);
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const commandOptions = COMMAND_OPTIONS[command];
  if (!commandOptions) {
    io.stderr(`tenants: unknown command "${command}"\n\n${TENANTS_USAGE}\n`);
    return EXIT_USAGE;
  }

  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: { ...WHERE_OPTIONS, ...commandOptions },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    return usageError(io, command, error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    io.stdout(`${COMMAND_USAGE[command]}\n`);
    return EXIT_OK;
  }
  const json = values.json === true;

  try {
    const target = targetOf(values);
    const deps: TenantCommandDeps = {
      store: io.openStore(target),
      now: io.now ?? (() => new Date()),
      ...(io.random ? { random: io.random } : {}),
      ...(io.openUsers && command === "update" ? { users: io.openUsers(target) } : {}),
    };
    const note = target.remote ? PROPAGATION_NOTE : LOCAL_NOTE;
    const printChange = (result: ChangeResult) => {
      const advice = authModeAdvice(result);
      io.stdout(json ? toJson({ target: describeTarget(target), ...result, note, ...(advice ? { advice } : {}) }) : renderChange(result, target, note));
    };

    if (command === "move") {
      const [tenant, ...extra] = positionals;
      if (!tenant || extra.length) throw new UsageError("move takes one tenant");
      const moves = io.openMoves?.(target);
      if (!moves) throw new UsageError("moving tenants needs D1 access, which this caller does not give");
      const ports: MovePorts = { ...moves, store: deps.store, now: deps.now, say: (line) => io.stderr(`${line}\n`) };
      const tenantId = parseTenantId(tenant);
      if (values.rollback === true) {
        if (values.to !== undefined || values["stop-after"] !== undefined) throw new UsageError("--rollback takes no --to or --stop-after");
        const undone = await rollbackMove(tenantId, ports);
        io.stdout(json ? toJson({ rolledBack: undone }) : `Rolled back the move of ${tenantId} to ${undone?.toShard}; it stays on ${undone?.fromShard}.\n`);
        return EXIT_OK;
      }
      const to = values.to;
      if (typeof to !== "string" || !isShardName(to)) throw new UsageError("move needs --to <shard>: DB, DB_2, ... as wrangler.toml declares");
      const stopAfter = values["stop-after"];
      if (stopAfter !== undefined && !MOVE_STEPS.includes(stopAfter as MoveStep)) throw new UsageError(`--stop-after is one of ${MOVE_STEPS.join(", ")}`);
      // Locally there is no KV propagation to wait for, only the Worker's record cache (wrangler dev).
      const settleMs = target.remote ? SETTLE_MS : LOCAL_SETTLE_MS;
      const state = await moveTenant(tenantId, to, ports, { shards: moves.shards, settleMs, ...(stopAfter ? { stopAfter: stopAfter as MoveStep } : {}) });
      io.stdout(json ? toJson({ move: state }) : state.step === "cleaned" ? `Moved ${tenantId} from ${state.fromShard} to ${state.toShard}.\n` : `Move of ${tenantId} stopped after "${state.step}"; run the same command to go on.\n`);
      return EXIT_OK;
    }

    if (command === "list") {
      if (positionals.length) throw new UsageError("list takes no tenant");
      const tenants = await listTenants(deps);
      const sizes = await tenantSizes(io.openShards?.(target));
      const sized = tenants.map((t) => (t.valid ? { ...t, shard: shardOf(t.record), ...(sizes ? { size: sizes.get(`${shardOf(t.record)}/${t.tenantId}`) ?? { users: 0, events: 0 } } : {}) } : t));
      io.stdout(json ? toJson({ target: describeTarget(target), tenants: sized }) : renderList(sized, target));
      return EXIT_OK;
    }

    const tenant = onlyTenant(positionals);
    switch (command) {
      case "show": {
        const host = typeof values.host === "string" ? parseGatewayHost(values.host) : io.gatewayHost?.(target);
        if (typeof values.host === "string" && !host) throw new UsageError("--host is the gateway's origin, e.g. https://scim.example.com");
        const found = await showTenant(deps, tenant);
        const tenantUrls = found.valid ? managerTenantUrls(found.record, host) : undefined;
        io.stdout(json ? toJson({ target: describeTarget(target), tenant: found, ...(tenantUrls ? { tenantUrls } : {}) }) : renderShow(found, target, host));
        return found.valid ? EXIT_OK : EXIT_REFUSED;
      }
      case "add": {
        const managers = strings(values.manager);
        if (typeof values.account !== "string") throw new UsageError("add needs --account <TeleMessage account id>");
        if (typeof values.name !== "string") throw new UsageError("add needs --name <customer name>");
        if (managers.length === 0 && !values["any-manager"]) {
          throw new UsageError("add needs --manager <name> (repeatable), or --any-manager to accept any displayName");
        }
        if (managers.length > 0 && values["any-manager"]) throw new UsageError("--manager and --any-manager exclude each other");
        const callingCodes = parseCallingCodes(strings(values["calling-code"]));
        // A record being replaced (--force) keeps its shard (addTenant); only a new tenant is placed.
        const exists = (await deps.store.get(tenantKey(parseTenantId(tenant)))) !== undefined;
        const requested = typeof values.shard === "string" ? values.shard : undefined;
        const choice = exists && requested === undefined ? undefined : await chooseShard(parseTenantId(tenant), requested, io.openShards?.(target), io.capacity?.());
        if (choice?.placement && !json) io.stderr(`${renderPlacement(choice)}\n`);
        printChange(
          await addTenant(
            deps,
            tenant,
            {
              accountId: values.account,
              name: values.name,
              ...(managers.length ? { managers } : {}),
              ...(callingCodes.length ? { callingCodes } : {}),
              enabled: values.disabled !== true,
              ...(choice?.shard ? { shard: choice.shard } : {}),
            },
            { force: values.force === true },
          ),
        );
        return EXIT_OK;
      }
      case "update": {
        const replace = strings(values.manager);
        const add = strings(values["add-manager"]);
        const remove = strings(values["remove-manager"]);
        const rename = strings(values["rename-manager"]).map(parseRename);
        const removeAliases = strings(values["remove-alias"]);
        if (values["any-manager"] && (replace.length || add.length || remove.length || rename.length || removeAliases.length)) {
          throw new UsageError("--any-manager drops the manager list; it cannot be combined with other manager options");
        }
        if (replace.length && (add.length || remove.length)) {
          throw new UsageError("--manager replaces the whole list; use it alone, or --add-manager/--remove-manager");
        }
        const callingCodes = parseCallingCodes(strings(values["calling-code"]));
        if (values["any-calling-code"] && callingCodes.length) throw new UsageError("--calling-code and --any-calling-code exclude each other");
        const update = {
          ...(typeof values.account === "string" ? { accountId: values.account } : {}),
          ...(typeof values.name === "string" ? { name: values.name } : {}),
          ...(values["any-manager"] ? { managers: null } : replace.length ? { managers: replace } : {}),
          ...(add.length ? { addManagers: add } : {}),
          ...(remove.length ? { removeManagers: remove } : {}),
          ...(values.auth !== undefined ? { authMode: authModeOf(values.auth) } : {}),
          ...(rename.length ? { renameManagers: rename } : {}),
          ...(removeAliases.length ? { removeAliases } : {}),
          ...(values["any-calling-code"] ? { callingCodes: null } : callingCodes.length ? { callingCodes } : {}),
        };
        if (Object.keys(update).length === 0) throw new UsageError("update needs something to change");
        printChange(await updateTenant(deps, tenant, update));
        return EXIT_OK;
      }
      case "disable":
        printChange(await disableTenant(deps, tenant));
        return EXIT_OK;
      case "enable":
        printChange(await enableTenant(deps, tenant));
        return EXIT_OK;
      case "remove": {
        if (values.yes !== true) {
          if (json) throw new UsageError("remove with --json needs --yes (there is no one to ask)");
          const found = await showTenant(deps, tenant);
          const who = found.valid ? ` (${found.record.name}, account ${found.record.accountId})` : "";
          const question = `Remove tenant ${found.tenantId}${who} from ${describeTarget(target)}? Its Entra app gets 403 from then on. [y/N] `;
          if (!(await io.confirm(question))) {
            io.stderr("Not removed.\n");
            return EXIT_REFUSED;
          }
        }
        printChange(await removeTenant(deps, tenant));
        return EXIT_OK;
      }
      case "issue-token": {
        let authMode = values.auth !== undefined ? authModeOf(values.auth) : undefined;
        // Without --auth, a person is offered the switch to secret-token (a script is told how, in the
        // output). Asked before the token is made, so the answer and the token are one write.
        if (authMode === undefined && !json) {
          const found = await showTenant(deps, tenant);
          // Only when the token will be issued: not over an existing one without --force, nor into a record
          // this version cannot write back (issueToken refuses both and says why).
          const willIssue = found.valid && !found.unknownFields && (!found.record.secretTokenSha256 || values.force === true);
          if (willIssue && found.record.authMode !== "secret-token" && (await io.confirm(SWITCH_TO_SECRET_TOKEN_QUESTION(found.tenantId)))) {
            authMode = "secret-token";
          }
        }
        printChange(await issueToken(deps, tenant, { force: values.force === true, ...(authMode ? { authMode } : {}) }));
        return EXIT_OK;
      }
      case "revoke-token":
        printChange(await revokeToken(deps, tenant));
        return EXIT_OK;
    }
    return usageError(io, command, "unknown command");
  } catch (error) {
    if (error instanceof UsageError || error instanceof ShardUsageError) return usageError(io, command, error.message);
    const code = error instanceof TenantCommandError ? error.code : error instanceof MoveError ? "move_refused" : "failed";
    const message = error instanceof Error ? error.message : String(error);
    if (json) io.stdout(toJson({ error: { code, message } }));
    else io.stderr(`tenants ${command}: ${message}\n`);
    return EXIT_REFUSED;
  }
}

/** Every tenant's users and events, keyed "<shard>/<tenant>"; undefined without the D1 port. */
async function tenantSizes(sizes: ShardSizes | undefined): Promise<Map<string, TenantSize> | undefined> {
  if (!sizes) return undefined;
  const all = new Map<string, TenantSize>();
  for (const shard of sizes.shards) for (const [tenantId, size] of await sizes.tenants(shard)) all.set(`${shard}/${tenantId}`, size);
  return all;
}

function targetOf(values: Record<string, unknown>): WranglerTarget {
  const env = typeof values.env === "string" ? values.env.trim() : undefined;
  const remote = values.remote === true;
  // Guards against writing to the wrong place: `--env production` without `--remote` would quietly edit a
  // local copy, and `--remote` alone would address the placeholder namespace of the local configuration.
  if (remote && !env) throw new UsageError("--remote needs --env <name> (staging or production)");
  if (env && !remote) throw new UsageError(`--env names a Cloudflare environment; add --remote to edit its allow-list`);
  if (remote && values["persist-to"]) throw new UsageError("--persist-to is for the local allow-list only");
  return {
    remote,
    ...(env ? { env } : {}),
    ...(typeof values["persist-to"] === "string" ? { persistTo: values["persist-to"] } : {}),
    ...(typeof values.config === "string" ? { config: values.config } : {}),
  };
}

function onlyTenant(positionals: string[]): string {
  if (positionals.length === 0) throw new UsageError("name the tenant: its Entra tenant id (a GUID)");
  if (positionals.length > 1) throw new UsageError(`one tenant at a time (got ${positionals.length})`);
  return positionals[0] as string;
}

function authModeOf(value: unknown): AuthMode {
  const mode = AUTH_MODES.find((m) => m === value);
  if (!mode) throw new UsageError(`--auth takes one of ${AUTH_MODES.join(", ")}`);
  return mode;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/** "OLD=NEW", split at the first "=". */
function parseRename(text: string): ManagerRename {
  const at = text.indexOf("=");
  const from = at < 0 ? "" : text.slice(0, at).trim();
  const to = at < 0 ? "" : text.slice(at + 1).trim();
  if (!from || !to) throw new UsageError(`--rename-manager takes "OLD=NEW" (got "${text}")`);
  return { from, to };
}

const toJson = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function usageError(io: TenantsCliIo, command: string, message: string): number {
  io.stderr(`tenants ${command}: ${message}\n\n${COMMAND_USAGE[command] ?? TENANTS_USAGE}\n`);
  return EXIT_USAGE;
}
