// `npm run outbox -- <command>`: argv in, exit status out. The operator's view of the outbox: counts by
// state, the failed events, and redrive (failed -> pending, which the cron re-sends). SQL comes from
// queries.ts and runs through wrangler (../wrangler/d1.ts), injected so tests can replace it. --env must
// name an environment of wrangler.toml, and a redrive in production says what it will do and asks first,
// unless --yes (issue 14 §5).
import { parseArgs } from "node:util";
import { describeParseError, didYouMean } from "../command-line.ts";
import { type Environments, unknownEnvironment } from "../wrangler/environments.ts";
import { DEFAULT_LIST_LIMIT, UsageError, failedSql, redriveCountSql, redriveSql, statusSql, type Scope } from "./queries.ts";
import {
  describeTarget,
  renderFailed,
  renderRedriven,
  renderStatus,
  withMaskedNumbers,
  type FailedEvent,
  type RedrivenEvent,
  type StateCount,
} from "./output.ts";
import type { D1Target } from "../wrangler/d1.ts";

export const OUTBOX_USAGE = `usage: npm run outbox -- <command> [options]

commands:
  status                       change events per state, with the oldest of each
  failed                       failed events, oldest first (numbers masked)
  redrive                      failed events back to pending; the cron re-sends them within a minute
                               needs --id, --tenant or --all

options:
  --id <event id>              one event (the Idempotency-Key the core saw)
  --tenant <tenant id>         one Entra tenant's events
  --all                        redrive every failed event
  --limit <n>                  failed: at most n events (default ${DEFAULT_LIST_LIMIT})
  --show-numbers               failed: phone numbers in clear
  --json                       one JSON document on stdout
  --remote --env <name>        Cloudflare's D1 of that environment (default: the local D1 of npm start);
                               the name is checked against wrangler.toml, and a redrive in production
                               says how many events it sends back and asks first
  -y, --yes                    redrive in production without asking (scripts; --json needs it)
  --persist-to <dir>           local D1 state directory (wrangler's --persist-to)
  --config <path>              another wrangler.toml`;

export type OutboxCliIo = {
  query: <Row>(target: D1Target, sql: string) => Promise<Row[]>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Asks a yes/no question; false on anything but yes, or when no one can answer. */
  confirm?: (question: string) => Promise<boolean>;
  /** The environments of the wrangler.toml at this path (default wrangler.toml), to check --env against. */
  environments?: (config: string | undefined) => Environments | undefined;
};

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

const COMMANDS = ["status", "failed", "redrive"] as const;
type Command = (typeof COMMANDS)[number];

const OPTIONS = {
  id: { type: "string" },
  tenant: { type: "string" },
  all: { type: "boolean" },
  limit: { type: "string" },
  "show-numbers": { type: "boolean" },
  json: { type: "boolean" },
  remote: { type: "boolean" },
  env: { type: "string" },
  "persist-to": { type: "string" },
  config: { type: "string" },
  yes: { type: "boolean", short: "y" },
  help: { type: "boolean", short: "h" },
} as const;

export async function runOutboxCli(argv: string[], io: OutboxCliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    return usage(io, describeParseError(error, argv, OPTIONS));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(`${OUTBOX_USAGE}\n`);
    return EXIT_OK;
  }
  const [command, ...extra] = positionals;
  if (!COMMANDS.includes(command as Command)) return usage(io, command ? `unknown command "${command}"${didYouMean(command, COMMANDS)}` : "a command is required");
  if (extra.length > 0) return usage(io, `unexpected argument "${extra[0]}"`);
  if (values.remote && !values.env) return usage(io, "--remote needs --env <name> (staging or production)");
  if (values.remote && values["persist-to"]) return usage(io, "--persist-to is for the local D1 only");
  const environments = values.env !== undefined ? io.environments?.(values.config) : undefined;
  const unknownEnv = values.env !== undefined && environments ? unknownEnvironment(values.env, environments) : undefined;
  if (unknownEnv) return usage(io, unknownEnv);
  // Without wrangler.toml's word on it, the environment named "production" is production.
  const production = values.remote === true && values.env !== undefined && (environments?.isProduction(values.env) ?? values.env === "production");

  const target: D1Target = {
    remote: values.remote ?? false,
    ...(values.env !== undefined && { env: values.env }),
    ...(values["persist-to"] !== undefined && { persistTo: values["persist-to"] }),
    ...(values.config !== undefined && { config: values.config }),
  };
  const scope: Scope = {
    ...(values.id !== undefined && { id: values.id }),
    ...(values.tenant !== undefined && { tenant: values.tenant }),
    ...(values.all !== undefined && { all: values.all }),
  };
  const json = values.json ?? false;
  const print = (document: unknown, text: string) => io.stdout(json ? `${JSON.stringify(document, null, 2)}\n` : text);

  try {
    if (command === "status") {
      if (scope.all) return usage(io, "--all is for redrive");
      const counts = await io.query<StateCount>(target, statusSql(scope));
      print({ target, states: counts }, renderStatus(target, counts));
    } else if (command === "failed") {
      if (scope.all) return usage(io, "--all is for redrive");
      const limit = values.limit === undefined ? DEFAULT_LIST_LIMIT : Number(values.limit);
      const events = withMaskedNumbers(await io.query<FailedEvent>(target, failedSql(scope, limit)), values["show-numbers"] ?? false);
      print({ target, events }, renderFailed(target, events, limit));
    } else {
      if (values["show-numbers"] || values.limit !== undefined) return usage(io, "--show-numbers and --limit are for failed");
      if (production && values.yes !== true) {
        if (json) return usage(io, "a redrive in production with --json needs --yes (there is no one to ask)");
        const [count] = await io.query<{ events: number; tenants: number }>(target, redriveCountSql(scope));
        const what = scope.id ? `event ${scope.id}` : scope.tenant ? `tenant ${scope.tenant}` : "every tenant";
        const question =
          `Redrive ${count?.events ?? 0} failed events (${what}; ${count?.tenants ?? 0} tenants) in the ${describeTarget(target)}: ` +
          "they go back to pending, and the cron sends them to the TeleMessage core again within a minute.\nThis is PRODUCTION. Redrive them? [y/N] ";
        if (!(await (io.confirm ?? (async () => false))(question))) {
          io.stderr("Nothing was redriven.\n");
          return EXIT_FAILED;
        }
      }
      const redriven = await io.query<RedrivenEvent>(target, redriveSql(scope));
      print({ target, redriven }, renderRedriven(target, redriven));
    }
    return EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError) return usage(io, error.message);
    io.stderr(`outbox: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILED;
  }
}

function usage(io: OutboxCliIo, message: string): number {
  io.stderr(`outbox: ${message}\n${OUTBOX_USAGE}\n`);
  return EXIT_USAGE;
}
