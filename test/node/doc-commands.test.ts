// Every command the README and docs/ show a reader is one that exists, with flags it accepts. Each
// `npm run <script>` line is run with `--help` (after its subcommand, for the tools that have them), and
// every flag the line uses must appear in that help; each `npx wrangler <command>` is looked up in wrangler's
// command tree for its flags: wrangler's exported experimental_getWranglerCommands() (the tree its own --help
// prints), read once in this process instead of one wrangler start per command (about 1.3 s of CPU each).
// Commands that start servers or deploy are never run for real here: `npm start` and `npm test` are run by
// .ci/run itself.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { experimental_getWranglerCommands } from "wrangler";

const root = join(import.meta.dirname, "..", "..");
const scripts = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts as Record<string, string>;
const docs = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** Tools whose first argument is a command with a help page of its own. */
const WITH_SUBCOMMANDS = new Set(["tenants", "outbox"]);
/** Shown to readers, run by .ci/run (npm test) or only meaningful as a long-running server. */
const NOT_RUN_HERE = new Set(["start", "test"]);

type Found = { doc: string; line: string };

/** Command lines in fenced blocks and in inline code, joined across trailing backslashes. */
function commandLines(text: string): string[] {
  const lines: string[] = [];
  for (const block of text.matchAll(/```(?:sh|bash|shell)?\n([\s\S]*?)```/g)) {
    lines.push(...(block[1] ?? "").replace(/\\\n\s*/g, " ").split("\n"));
  }
  for (const span of text.matchAll(/`([^`\n]+)`/g)) lines.push(span[1] ?? "");
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

const ran = new Map<string, SpawnSyncReturns<string>>();
/** Runs a command once per distinct argument list (several doc lines share a wrangler command). */
function run(command: string, args: string[]) {
  const key = [command, ...args].join("\u0000");
  let result = ran.get(key);
  if (!result) {
    result = spawnSync(command, args, { cwd: root, encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0" }, timeout: 60_000 });
    ran.set(key, result);
  }
  return result;
}

describe("the commands the docs show", () => {
  it("finds the commands at all (the extraction itself works)", () => {
    expect([...npmRuns.keys()].some((c) => c.startsWith("npm run tenants -- add"))).toBe(true);
    expect([...wranglers.keys()].some((c) => c.startsWith("npx wrangler rollback"))).toBe(true);
  });

  it.each([...npmRuns].map(([command, where]) => [command, where] as const))("%s", (command, where) => {
    const [, script = "", rest = ""] = /^npm run (?:-s )?([\w:-]+)(?: --(.*))?$/.exec(command) ?? [];
    expect(scripts[script], `${where.doc}: "${command}" names no npm script`).toBeDefined();
    if (NOT_RUN_HERE.has(script)) return;
    const words = rest.trim().split(/\s+/).filter(Boolean);
    const subcommand = WITH_SUBCOMMANDS.has(script) && words[0] && !words[0].startsWith("-") ? [words[0]] : [];
    // The script's own command with --help: `node <file>` runs on this Node, anything else through npm.
    const file = /^node (\S+)$/.exec(scripts[script] ?? "")?.[1];
    const result = file ? run(process.execPath, [file, ...subcommand, "--help"]) : run("npm", ["run", "-s", script, "--", ...subcommand, "--help"]);
    const help = `${result.stdout}${result.stderr}`;
    expect(result.status, `${where.doc}: \`${command}\` --help exited ${result.status}:\n${help}`).toBe(0);
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
