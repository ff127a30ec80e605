// The command-line tools' shared argument handling: strict parsing, `--help` to stdout with exit 0, and a
// usage error to stderr with exit 2 (so scripts can tell a mistake from a failure). Node only.
import { parseArgs, type ParseArgsConfig } from "node:util";

export function parseCommandLine<O extends NonNullable<ParseArgsConfig["options"]>>(
  name: string,
  usage: string,
  options: O,
): ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: false }>>["values"] {
  let values;
  try {
    ({ values } = parseArgs({ options: { ...options, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: false }));
  } catch (error) {
    usageError(name, usage, error instanceof Error ? error.message : String(error));
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
