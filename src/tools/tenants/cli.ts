// `npm run tenants -- <command>`: argv in, exit status out. Parses the options of each command, runs the
// command from tenants/commands.ts (the same the web console runs) against the ledger and store it is
// given, and prints the result for a person or, with --json, for a script. The ledger, the store, who is
// running it, the D1 queries, the clock, the prompt and the output are injected (main.ts wires the real
// ones), so this runs the same in tests as on an account manager's laptop.
//
// Safe production writes (issue 14 §5): --env must name an environment of wrangler.toml, checked before
// wrangler runs; every write to production is shown (target and change) and confirmed, unless --yes.
import { parseArgs } from "node:util";
import { authModeOf, COMMAND_OPTIONS, onlyTenant, parseRename, READ_ONLY, strings, targetOf, UsageError, WHERE_OPTIONS } from "./arguments.ts";
import { describeParseError, didYouMean } from "../command-line.ts";
import type { QueryD1 } from "./activity.ts";
import type { TenantsCliIo } from "./io.ts";
import { renderActivity, renderFindings } from "./activity-output.ts";
import { previewWrite, type Write } from "./preview.ts";
import {
  addTenant,
  parseTenantId,
  setTenantShard,
  disableTenant,
  enableTenant,
  issueToken,
  listTenants,
  removeTenant,
  revokeToken,
  showTenant,
  tenantHistory,
  TenantCommandError,
  updateTenant,
  type ChangeResult,
  type TenantCommandDeps,
} from "../../tenants/commands.ts";
import { parseCallingCodes } from "../../tenants/calling-codes.ts";
import { parseGatewayHost } from "./gateway-host.ts";
import { COMMAND_USAGE, PROPAGATION_NOTE, TENANTS_USAGE } from "./help.ts";
import {
  authModeAdvice,
  describeTarget,
  managerTenantUrls,
  renderChange,
  renderList,
  renderPlacement,
  renderPreview,
  renderShow,
  SWITCH_TO_SECRET_TOKEN_QUESTION,
  type ListActivity,
} from "./output.ts";
import { renderHistory } from "./history-output.ts";
import { chooseShard, ShardUsageError } from "./placement.ts";
import type { ShardSizes, TenantSize } from "./shard-sizes.ts";
import { tenantKey } from "../../tenants/record.ts";
import { DEFAULT_SHARD, isShardName, shardOf } from "../../tenants/shard.ts";
import type { TenantSummary } from "../../activity/read-model.ts";
import { LOCAL_SETTLE_MS, MOVE_STEPS, MoveError, moveTenant, rollbackMove, SETTLE_MS, type MovePorts, type MoveStep } from "./move/move.ts";

export const EXIT_OK = 0;
export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;

export const LOCAL_NOTE = "The local gateway (npm start) sees the change within a few seconds.";

export async function runTenantsCli(argv: string[], io: TenantsCliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    const topic = command === "help" ? rest[0] : undefined;
    io.stdout(`${(topic && COMMAND_USAGE[topic]) || TENANTS_USAGE}\n`);
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const commandOptions = COMMAND_OPTIONS[command];
  if (!commandOptions) {
    io.stderr(`tenants: unknown command "${command}"${didYouMean(command, Object.keys(COMMAND_OPTIONS))}\n\n${TENANTS_USAGE}\n`);
    return EXIT_USAGE;
  }

  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  let positionals: string[];
  const options = { ...WHERE_OPTIONS, ...commandOptions };
  try {
    ({ values, positionals } = parseArgs({ args: rest, options, allowPositionals: true, strict: true }));
  } catch (error) {
    return usageError(io, command, describeParseError(error, rest, options));
  }
  if (values.help) {
    io.stdout(`${COMMAND_USAGE[command]}\n`);
    return EXIT_OK;
  }
  const json = values.json === true;

  try {
    const target = targetOf(values, io.environments);
    // Without wrangler.toml's word on it, the environment named "production" is production.
    const production = target.remote && target.env !== undefined && (io.environments?.(target.config)?.isProduction(target.env) ?? target.env === "production");
    const deps: TenantCommandDeps = {
      store: io.openStore(target),
      ledger: io.openLedger(target),
      // Read-only commands need no name; a write without one is refused before anything is written.
      actor: { name: READ_ONLY.has(command) ? "" : await io.actor(target), source: "cli" },
      now: io.now ?? (() => new Date()),
      ...(io.random ? { random: io.random } : {}),
      ...(io.openUsers && command === "update" ? { users: io.openUsers(target) } : {}),
    };
    const note = target.remote ? PROPAGATION_NOTE : LOCAL_NOTE;
    const printChange = (result: ChangeResult) => {
      const advice = authModeAdvice(result);
      io.stdout(json ? toJson({ target: describeTarget(target), ...result, note, ...(advice ? { advice } : {}) }) : renderChange(result, target, note));
    };

    /**
     * A write: to production, previewed, shown and confirmed first (unless --yes); then made and printed.
     * Answers the exit status, EXIT_REFUSED when the answer was no.
     */
    const write = async (run: Write): Promise<number> => {
      let real = deps;
      if (production && values.yes !== true) {
        if (json) throw new UsageError(`a write to production with --json needs --yes (there is no one to ask)`);
        const previewed = await previewWrite(run, deps);
        if (previewed.preview.action !== "unchanged") {
          if (!(await io.confirm(`${renderPreview(previewed.preview, target)}This is PRODUCTION. Write it? [y/N] `))) {
            io.stderr("Nothing was changed.\n");
            return EXIT_REFUSED;
          }
        }
        real = previewed.real;
      }
      printChange(await run(real));
      return EXIT_OK;
    };
    // Read once, only by the commands that show activity (a write reads the clock itself).
    const readNow = () => io.now?.() ?? new Date();

    if (command === "move") {
      const [tenant, ...extra] = positionals;
      if (!tenant || extra.length) throw new UsageError("move takes one tenant");
      const moves = io.openMoves?.(target);
      if (!moves) throw new UsageError("moving tenants needs D1 access, which this caller does not give");
      const reason = typeof values.reason === "string" ? values.reason : `moved between shards (npm run tenants -- move)`;
      const ports: MovePorts = {
        ...moves,
        store: deps.store,
        // The flip goes through the ledger like any change, so the console and later edits keep the shard.
        recordShard: async (id, shard) => void (await setTenantShard(deps, id, shard, { reason })),
        now: deps.now,
        say: (line) => io.stderr(`${line}\n`),
      };
      const tenantId = parseTenantId(tenant);
      // A move fences the tenant's writes for a while (Entra sees 503 and retries): asked like any other
      // production write (issue 14 §5).
      const confirmMove = async (what: string): Promise<boolean> => {
        if (!production || values.yes === true) return true;
        if (json) throw new UsageError(`a move in production with --json needs --yes (there is no one to ask)`);
        if (await io.confirm(`${what} in ${describeTarget(target)}; its writes answer 503 (Entra retries) while it is fenced.\nThis is PRODUCTION. Go on? [y/N] `)) return true;
        io.stderr("Nothing was moved.\n");
        return false;
      };
      if (values.rollback === true) {
        if (values.to !== undefined || values["stop-after"] !== undefined) throw new UsageError("--rollback takes no --to or --stop-after");
        if (!(await confirmMove(`Roll back the move of tenant ${tenantId}`))) return EXIT_REFUSED;
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
      if (!(await confirmMove(`Move tenant ${tenantId} to shard ${to}`))) return EXIT_REFUSED;
      const state = await moveTenant(tenantId, to, ports, { shards: moves.shards, settleMs, ...(stopAfter ? { stopAfter: stopAfter as MoveStep } : {}) });
      io.stdout(json ? toJson({ move: state }) : state.step === "cleaned" ? `Moved ${tenantId} from ${state.fromShard} to ${state.toShard}.\n` : `Move of ${tenantId} stopped after "${state.step}"; run the same command to go on.\n`);
      return EXIT_OK;
    }

    if (command === "list") {
      if (positionals.length) throw new UsageError("list takes no tenant");
      const tenants = await listTenants(deps);
      let activity: ListActivity | undefined;
      const now = readNow();
      if (io.queryD1 && tenants.length) {
        // The allow-list is KV's; a D1 that cannot be read only empties the activity columns. Each tenant's
        // activity lives on its shard: every shard is read.
        const query = io.queryD1;
        const { readSummaries } = await loadActivity();
        const summaries = await (async () => {
          const all = new Map<string, TenantSummary>();
          for (const shard of io.shardsOf?.(target) ?? [DEFAULT_SHARD]) {
            for (const [tenantId, summary] of await readSummaries((t, statements) => query(t, statements, shard), target, now)) all.set(`${shard}/${tenantId}`, summary);
          }
          return all;
        })().catch((error: unknown) => {
          io.stderr(`tenants list: last seen and errors are unknown: ${error instanceof Error ? error.message : String(error)}\n`);
          return undefined;
        });
        // Each tenant's summary from its own shard; undefined (shown "?") when a shard could not be read.
        const own = (t: (typeof tenants)[number]) => (t.valid ? summaries?.get(`${shardOf(t.record)}/${t.tenantId}`) : undefined);
        activity = { summaries: summaries && new Map(tenants.flatMap((t) => (own(t) ? [[t.tenantId, own(t)!] as const] : []))), now };
      }
      const summaries = activity?.summaries;
      const sizes = await tenantSizes(io.openShards?.(target));
      const listed = tenants.map((t) => {
        if (!t.valid) return t;
        const { lastRequestAt = null, errorsLast24h = 0 } = summaries?.get(t.tenantId) ?? {};
        return {
          ...t,
          shard: shardOf(t.record),
          ...(sizes ? { size: sizes.get(`${shardOf(t.record)}/${t.tenantId}`) ?? { users: 0, events: 0 } } : {}),
          ...(summaries ? { activity: { lastRequestAt, errorsLast24h } } : {}),
        };
      });
      io.stdout(json ? toJson({ target: describeTarget(target), tenants: listed }) : renderList(listed, target, activity));
      return EXIT_OK;
    }

    const tenant = onlyTenant(positionals);
    const because = { ...(typeof values.reason === "string" && values.reason.trim() ? { reason: values.reason } : {}) };
    if (command === "activity" || command === "doctor") {
      if (!io.queryD1) throw new UsageError(`${command} needs the gateway's D1 (run it through npm run tenants)`);
      const tenantId = parseTenantId(tenant);
      const now = readNow();
      const { diagnose, readActivity, recordOf } = await loadActivity();
      const record = recordOf(await showTenant(deps, tenantId).catch(() => undefined));
      // The tenant's activity lives on its shard (issue 15).
      const queryD1 = io.queryD1;
      const onShard: QueryD1 = (t, statements) => queryD1(t, statements, record ? shardOf(record) : DEFAULT_SHARD);
      if (command === "activity") {
        const activity = await readActivity(onShard, target, tenantId, now);
        io.stdout(json ? toJson({ target: describeTarget(target), activity }) : renderActivity(activity, record, target, now));
        return EXIT_OK;
      }
      const { activity, findings, problems } = await diagnose(onShard, target, tenantId, record, now);
      io.stdout(json ? toJson({ target: describeTarget(target), tenantId, findings, activity }) : renderFindings(tenantId, findings, target));
      return problems > 0 ? EXIT_REFUSED : EXIT_OK;
    }
    switch (command) {
      case "history": {
        const limit = values.limit === undefined ? undefined : Number(values.limit);
        if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) throw new UsageError("--limit is a whole number of at least 1");
        const entries = await tenantHistory(deps, tenant, limit);
        io.stdout(json ? toJson({ target: describeTarget(target), tenantId: tenant.trim().toLowerCase(), history: entries }) : renderHistory(tenant.trim().toLowerCase(), entries, target));
        return EXIT_OK;
      }
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
        const input = {
          accountId: values.account,
          name: values.name,
          ...(managers.length ? { managers } : {}),
          ...(callingCodes.length ? { callingCodes } : {}),
          enabled: values.disabled !== true,
          ...(choice?.shard ? { shard: choice.shard } : {}),
        };
        return await write((d) => addTenant(d, tenant, input, { ...because, force: values.force === true }));
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
        return await write((d) => updateTenant(d, tenant, update, because));
      }
      case "disable":
        return await write((d) => disableTenant(d, tenant, because));
      case "enable":
        return await write((d) => enableTenant(d, tenant, because));
      case "remove": {
        // Production asks in write(), with the record's fields; elsewhere this one question.
        if (values.yes !== true && !production) {
          if (json) throw new UsageError("remove with --json needs --yes (there is no one to ask)");
          const found = await showTenant(deps, tenant);
          const who = found.valid ? ` (${found.record.name}, account ${found.record.accountId})` : "";
          const question = `Remove tenant ${found.tenantId}${who} from ${describeTarget(target)}? Its Entra app gets 403 from then on. [y/N] `;
          if (!(await io.confirm(question))) {
            io.stderr("Not removed.\n");
            return EXIT_REFUSED;
          }
        }
        return await write((d) => removeTenant(d, tenant, because));
      }
      case "issue-token": {
        let authMode = values.auth !== undefined ? authModeOf(values.auth) : undefined;
        // Without --auth, a person is offered the switch to secret-token (a script, --json or --yes, is told
        // how in the output). Asked before the token is made, so the answer and the token are one write.
        if (authMode === undefined && !json && values.yes !== true) {
          const found = await showTenant(deps, tenant);
          // Only when the token will be issued: not over an existing one without --force, nor into a record
          // this version cannot write back (issueToken refuses both and says why).
          const willIssue = found.valid && !found.unknownFields && (!found.record.secretTokenSha256 || values.force === true);
          if (willIssue && found.record.authMode !== "secret-token" && (await io.confirm(SWITCH_TO_SECRET_TOKEN_QUESTION(found.tenantId)))) {
            authMode = "secret-token";
          }
        }
        const mode = authMode;
        return await write((d) => issueToken(d, tenant, { ...because, force: values.force === true, ...(mode ? { authMode: mode } : {}) }));
      }
      case "revoke-token":
        return await write((d) => revokeToken(d, tenant, because));
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

// Loaded only by the commands that show activity: it brings Drizzle, 0.3 s of every other command's 0.8 s
// start (`node --cpu-prof` of `tenants --help`: mostly Node reading drizzle-orm's 180 KB package.json).
const loadActivity = () => import("./activity.ts");

const toJson = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function usageError(io: TenantsCliIo, command: string, message: string): number {
  io.stderr(`tenants ${command}: ${message}\n\n${COMMAND_USAGE[command] ?? TENANTS_USAGE}\n`);
  return EXIT_USAGE;
}
