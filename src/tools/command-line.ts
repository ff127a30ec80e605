// The command-line tools' shared argument handling: strict parsing, `--help` to stdout with exit 0, and a
// usage error to stderr with exit 2 (so scripts can tell a mistake from a failure); an option the tool does
// not know is answered with the one it likely meant ("did you mean --manager?", issue 14 §5). Node only.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { closestName } from "../tenants/closest-name.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * parseArgs' error as one line for a person: an unknown option names the closest known one. The unknown
 * option is found in `args` (the first one that is not declared), not read out of Node's message.
 */
export function describeParseError(error: unknown, args: readonly string[], options: Options): string {
  const message = error instanceof Error ? error.message : String(error);
  if ((error as { code?: unknown } | null)?.code !== "ERR_PARSE_ARGS_UNKNOWN_OPTION") return message;
  const long = Object.keys(options);
  const short = new Set(Object.values(options).flatMap((o) => (o.short ? [o.short] : [])));
  const end = args.indexOf("--");
  const unknown = (end < 0 ? args : args.slice(0, end)).find((arg) => {
    if (arg.startsWith("--")) return !long.includes(arg.slice(2).split("=")[0] ?? "");
    return arg.startsWith("-") && arg.length > 1 && ![...arg.slice(1)].every((c) => short.has(c));
  });
  if (!unknown) return message;
  const name = unknown.replace(/^-+/, "").split("=")[0] ?? "";
  const meant = closestName(name, long);
  return `unknown option ${unknown.split("=")[0]}${meant ? `: did you mean --${meant}?` : ` (known: ${long.map((o) => `--${o}`).join(", ")})`}`;
}

/** "did you mean <x>?" for a word among `known`, or nothing. */
export const didYouMean = (word: string, known: readonly string[]): string => {
  const meant = closestName(word, known);
  return meant ? `: did you mean ${meant}?` : "";
};

export function parseCommandLine<O extends Options>(
  name: string,
  usage: string,
  options: O,
): ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: false }>>["values"] {
  const all: Options = { ...options, help: { type: "boolean", short: "h" } };
  let values;
  try {
    ({ values } = parseArgs({ options: all, strict: true, allowPositionals: false }));
  } catch (error) {
    usageError(name, usage, describeParseError(error, process.argv.slice(2), all));
  }
  if ((values as { help?: boolean }).help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return values as never;
}

export function usageError(name: string, usage: string, message: string): never {
  process.stderr.write(`${name}: ${message}\n\n${usage}\n`);
  process.exit(2);
}
