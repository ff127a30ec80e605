// Every command the README and docs/ show a reader is one that exists, with flags it accepts. Each
// `npm run <script>` line is run with `--help` (after its subcommand, for the tools that have them), and
// every flag the line uses must appear in that help; each `npx wrangler <command>` is looked up in wrangler's
// command tree for its flags: wrangler's exported experimental_getWranglerCommands() (the tree its own --help
// prints), read once in this process instead of one wrangler start per command (about 1.3 s of CPU each).
// The `--help` runs (some twenty distinct ones, about half a second of CPU each) run a few at a time before
// the checks read them, instead of one after the other: the file's wall time was 34 s of one core.
// Commands that start servers or deploy are never run for real here: `npm start` and `npm test` are run by
// .ci/run itself.
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { experimental_getWranglerCommands } from "wrangler";
import { runCommand } from "../../src/tools/command-output.ts";

const root = join(import.meta.dirname, "..", "..");
const scripts = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts as Record<string, string>;
const docs = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** Tools whose first argument is a command with a help page of its own. */
const WITH_SUBCOMMANDS = new Set(["tenants", "outbox"]);
/** Shown to readers, run by .ci/run (npm test) or only meaningful as a long-running server. */
const NOT_RUN_HERE = new Set(["start", "test"]);

type Found = { doc: string; line: string };

/**
 * Command lines in shell blocks (a fence with no language or sh, bash, shell) and in inline code, joined across
 * trailing backslashes. Fences are read line by line, opening and closing in turn: a pattern over the whole
 * text took a ```json block's closing fence for an opening one and skipped the shell block after it.
 */
function commandLines(text: string): string[] {
  const lines: string[] = [];
  let fence: { shell: boolean; body: string[] } | undefined;
  const prose: string[] = [];
  for (const line of text.split("\n")) {
    const marker = /^\s*```\s*([\w-]*)/.exec(line);
    if (marker && !fence) fence = { shell: ["", "sh", "bash", "shell"].includes(marker[1] ?? ""), body: [] };
    else if (marker && fence) {
      if (fence.shell) lines.push(...fence.body.join("\n").replace(/\\\n\s*/g, " ").split("\n"));
      fence = undefined;
    } else if (fence) fence.body.push(line);
    else prose.push(line);
  }
  for (const span of prose.join("\n").matchAll(/`([^`\n]+)`/g)) lines.push(span[1] ?? "");
  return lines.map((l) => l.replace(/\s+#.*$/, "").trim()).filter(Boolean);
}

function find(pattern: RegExp): Map<string, Found> {
  const found = new Map<string, Found>();
  for (const doc of docs) {
    for (const line of commandLines(readFileSync(join(root, doc), "utf8"))) {
      for (const match of line.matchAll(pattern)) found.set(match[0].trim(), { doc, line });
    }
  }
  return found;
}

// `npm run -s token -- --tenant x`, up to the end of the command (a pipe, `;`, `&&`, `)` or the line's end).
const npmRuns = find(/npm run (?:-s )?[\w:-]+(?: --(?: [^|;&)`]*)?)?/g);
const wranglers = find(/npx wrangler (?:[a-z][\w-]* ?){1,4}(?:[^|;&)`]*)?/g);

const flagsOf = (text: string) => [...text.matchAll(/(?<![\w-])--[a-z][\w-]*/g)].map((m) => m[0]).filter((f) => f !== "--help");

const { registry, globalFlags } = experimental_getWranglerCommands();
type WranglerNode = { definition?: { type?: string; args?: object }; subtree: Map<string, WranglerNode> };
/** `--name` for every argument and alias of a command's definition. */
const flagNames = (args: object): string[] =>
  Object.entries(args).flatMap(([name, arg]) => [name, ...[(arg as { alias?: string | string[] }).alias ?? []].flat()].map((n) => `--${n}`));

type Ran = { status: number | null; output: string };

/** Runs a command and keeps its exit status and output (stdout then stderr). */
const run = (command: string, args: string[]): Promise<Ran> =>
  runCommand(command, args, { cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0" }, timeoutMs: 60_000 }).then(
    (result) => ({ status: result.status, output: `${result.stdout}${result.stderr}` }),
    (error: Error) => ({ status: null, output: `${command}: ${error.message}` }),
  );

/** The `--help` run that checks a documented `npm run` line: the script's own command, after its subcommand. */
function helpRunOf(script: string, rest: string): [string, string[]] {
  const words = rest.trim().split(/\s+/).filter(Boolean);
  const subcommand = WITH_SUBCOMMANDS.has(script) && words[0] && !words[0].startsWith("-") ? [words[0]] : [];
  // `node <file>` runs on this Node, anything else through npm.
  const file = /^node (\S+)$/.exec(scripts[script] ?? "")?.[1];
  return file ? [process.execPath, [file, ...subcommand, "--help"]] : ["npm", ["run", "-s", script, "--", ...subcommand, "--help"]];
}

const parsedRun = (command: string) => {
  const [, script = "", rest = ""] = /^npm run (?:-s )?([\w:-]+)(?: --(.*))?$/.exec(command) ?? [];
  return { script, rest };
};

/** Each distinct help run's result, by its command line; filled before the checks. */
const helps = new Map<string, Ran>();
const helpKey = ([command, args]: [string, string[]]) => [command, ...args].join("\u0000");

beforeAll(async () => {
  const pending = new Map<string, [string, string[]]>();
  for (const command of npmRuns.keys()) {
    const { script, rest } = parsedRun(command);
    if (scripts[script] === undefined || NOT_RUN_HERE.has(script)) continue;
    const help = helpRunOf(script, rest);
    pending.set(helpKey(help), help);
  }
  const queue = [...pending];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) helps.set(next[0], await run(...next[1]));
  };
  await Promise.all(Array.from({ length: availableParallelism() }, worker));
}, 240_000);

describe("the commands the docs show", () => {
  it("reads the shell block after a block in another language, and no command out of a json block", () => {
    const text = ["```json", '{ "run": "npm run json-only" }', "```", "Then:", "```sh", "npm run after-json -- --flag \\", "  --more", "```"].join("\n");
    expect(commandLines(text)).toEqual(["npm run after-json -- --flag  --more"]);
  });

  it("finds the commands at all (the extraction itself works)", () => {
    expect([...npmRuns.keys()].some((c) => c.startsWith("npm run tenants -- add"))).toBe(true);
    expect([...wranglers.keys()].some((c) => c.startsWith("npx wrangler rollback"))).toBe(true);
  });

  it.each([...npmRuns].map(([command, where]) => [command, where] as const))("%s", (command, where) => {
    const { script, rest } = parsedRun(command);
    expect(scripts[script], `${where.doc}: "${command}" names no npm script`).toBeDefined();
    if (NOT_RUN_HERE.has(script)) return;
    const result = helps.get(helpKey(helpRunOf(script, rest)));
    expect(result, `${where.doc}: \`${command}\`: its --help never ran`).toBeDefined();
    const help = result!.output;
    expect(result!.status, `${where.doc}: \`${command}\` --help exited ${result!.status}:\n${help}`).toBe(0);
    for (const flag of flagsOf(rest)) expect(help, `${where.doc}: \`${command}\` uses ${flag}, which its --help does not list`).toContain(flag);
  });

  it.each([...wranglers].map(([command, where]) => [command, where] as const))("%s", (command, where) => {
    const words = command.replace(/^npx wrangler /, "").split(/\s+/);
    // The verb chain, down wrangler's own command tree (`d1 create <name>`: the chain stops at the argument).
    let node: WranglerNode = registry;
    const verbs: string[] = [];
    for (const word of words) {
      const next = node.subtree.get(word);
      if (!next) break;
      node = next;
      verbs.push(word);
    }
    const definition = node.definition;
    expect(definition?.type, `${where.doc}: \`${command}\`: wrangler has no command "${verbs.join(" ")}"`).toBe("command");
    const accepted = flagNames({ ...globalFlags, ...(definition?.args ?? {}) });
    for (const flag of flagsOf(command)) expect(accepted, `${where.doc}: \`${command}\` uses ${flag}, which wrangler ${verbs.join(" ")} does not take`).toContain(flag);
  });
});
