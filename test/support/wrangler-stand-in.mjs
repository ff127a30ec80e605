// A stand-in for the wrangler commands the command-line tools run (`d1 execute`, `d1 migrations apply|list`, the
// `kv` commands, `whoami`), as a program first on PATH: the tools' end-to-end tests run main.ts as an
// operator does, spawn and argument building and JSON parsing included, at a tenth of a second a call
// instead of the two seconds of CPU each real wrangler start costs (loading its 10 MB bundle, starting
// workerd). What it answers is held to real wrangler's answers by test/node/wrangler-contract.test.ts, which
// runs the tools' own D1 and KV adapters against both.
//
// Plain JavaScript, unlike the rest of the tests: it starts some ninety times a run, and Node's TypeScript
// loader costs 50 ms of CPU at each start (measured: an empty .ts file 0.09 s, an empty .mjs 0.04 s).
//
// D1 is Node's SQLite (the engine D1 runs), one file per binding; KV is a table in another. State lives in
// --persist-to (else $WRANGLER_STAND_IN_STATE, else .wrangler/stand-in), so --local and --remote reach the
// same place: this machine has no Cloudflare. $WRANGLER_STAND_IN_LOG, when set, gets each call's arguments
// as a JSON line, so a test sees what reached "Cloudflare".
import { appendFileSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parse as parseToml } from "smol-toml";

const FLAGS_WITH_VALUES = new Set(["--persist-to", "--config", "--env", "--command", "--file", "--binding", "--path", "--prefix"]);

/** @typedef {{ words: string[], flags: Map<string, string | true> }} Call */

/** @param {string[]} argv @returns {Call} */
function parse(argv) {
  /** @type {string[]} */
  const words = [];
  /** @type {Map<string, string | true>} */
  const flags = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) words.push(arg);
    else if (FLAGS_WITH_VALUES.has(arg)) flags.set(arg, argv[++i] ?? "");
    else flags.set(arg, true);
  }
  return { words, flags };
}

/** @param {Call} call @param {string} flag @returns {string | undefined} */
const text = (call, flag) => {
  const value = call.flags.get(flag);
  return typeof value === "string" ? value : undefined;
};

/** @param {Call} call */
function stateDir(call) {
  const dir = text(call, "--persist-to") ?? process.env.WRANGLER_STAND_IN_STATE ?? join(process.cwd(), ".wrangler", "stand-in");
  mkdirSync(join(dir, "stand-in"), { recursive: true });
  return join(dir, "stand-in");
}

/** wrangler refuses a D1 binding its wrangler.toml (and --env) does not declare. @param {Call} call @param {string} binding */
function database(call, binding) {
  const config = parseToml(readFileSync(text(call, "--config") ?? "wrangler.toml", "utf8"));
  const env = text(call, "--env");
  const environment = env ? config.env?.[env] : config;
  if (!(environment?.d1_databases ?? []).some((d) => d.binding === binding)) {
    fail(`Couldn't find a D1 DB with the name or binding '${binding}' in your wrangler.toml file.`);
  }
  return new DatabaseSync(join(stateDir(call), `d1-${binding}.sqlite`));
}

/** Statements split at semicolons outside quotes and comments, as wrangler splits a --command. */
/** @param {string} sql @returns {string[]} */
function splitStatements(sql) {
  /** @type {string[]} */
  const statements = [];
  let start = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'" || c === '"' || c === "`") {
      const close = sql.indexOf(c, i + 1);
      i = close < 0 ? sql.length : close;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? sql.length : end;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === ";") {
      statements.push(sql.slice(start, i));
      start = i + 1;
    }
  }
  statements.push(sql.slice(start));
  return statements.map((s) => s.trim()).filter((s) => s && !/^(--[^\n]*\n?\s*)+$/.test(s));
}

/** @param {string} message @returns {never} */
function fail(message) {
  // wrangler's --json failure: the error as JSON on stdout, exit 1.
  process.stdout.write(`${JSON.stringify({ error: { text: message } }, null, 2)}\n`);
  process.exit(1);
}

/** Statements as one transaction, each one's rows, as `wrangler d1 execute --local --json` answers them. */
/** @param {DatabaseSync} db @param {string[]} statements */
function execute(db, statements) {
  db.exec("BEGIN");
  try {
    const results = statements.map((sql) => ({ results: db.prepare(sql).all().map((row) => ({ ...row })), success: true, meta: { duration: 0 } }));
    db.exec("COMMIT");
    return results;
  } catch (error) {
    db.exec("ROLLBACK");
    fail(`${error.message}: SQLITE_ERROR`);
  }
}

/** @param {Call} call */
function d1(call) {
  const [, verb, second, third] = call.words;
  if (verb === "execute" && second) {
    const db = database(call, second);
    const file = text(call, "--file");
    const statements = splitStatements(file !== undefined ? readFileSync(file, "utf8") : (text(call, "--command") ?? ""));
    const results = execute(db, statements);
    process.stdout.write(`${JSON.stringify(file !== undefined ? [{ results: [], success: true, meta: { duration: 0 } }] : results, null, 2)}\n`);
    return;
  }
  if (verb === "migrations" && (second === "apply" || second === "list") && third) {
    const db = database(call, third);
    const dir = join(dirname(resolve(text(call, "--config") ?? "wrangler.toml")), "migrations");
    db.exec("CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)");
    const applied = new Set(db.prepare("SELECT name FROM d1_migrations").all().map((row) => row.name));
    const pending = readdirSync(dir).filter((f) => f.endsWith(".sql") && !applied.has(f)).sort();
    if (second === "list") {
      process.stdout.write(pending.length ? `Migrations to be applied:\n${pending.map((name) => `│ ${name} │\n`).join("")}` : "✅ No migrations to apply!\n");
      return;
    }
    for (const name of pending) {
      execute(db, [...splitStatements(readFileSync(join(dir, name), "utf8")), `INSERT INTO d1_migrations (name) VALUES ('${name}')`]);
      process.stdout.write(`✅ ${name}\n`);
    }
    return;
  }
  unsupported(call);
}

/** @param {Call} call */
function kv(call) {
  const db = new DatabaseSync(join(stateDir(call), `kv-${text(call, "--binding") ?? "TENANTS"}.sqlite`));
  db.exec("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  /** @param {string} key @returns {string | undefined} */
  const value = (key) => db.prepare("SELECT value FROM kv WHERE key = ?").get(key)?.value;
  const [, noun, verb, argument = ""] = call.words;
  if (noun === "key" && verb === "put") {
    const path = text(call, "--path");
    const written = path !== undefined ? readFileSync(path, "utf8") : (call.words[4] ?? "");
    db.prepare("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(argument, written);
    process.stdout.write(`Writing the value to key "${argument}".\n`);
  } else if (noun === "key" && verb === "get") {
    process.stdout.write(value(argument) ?? "Value not found");
  } else if (noun === "key" && verb === "delete") {
    db.prepare("DELETE FROM kv WHERE key = ?").run(argument);
    process.stdout.write(`Deleting the key "${argument}".\n`);
  } else if (noun === "key" && verb === "list") {
    const prefix = text(call, "--prefix") ?? "";
    const keys = db.prepare("SELECT key FROM kv ORDER BY key").all().map((row) => String(row.key)).filter((key) => key.startsWith(prefix));
    process.stdout.write(`${JSON.stringify(keys.map((name) => ({ name })), null, 2)}\n`);
  } else if (noun === "bulk" && verb === "get") {
    /** @type {string[]} */
    const keys = JSON.parse(readFileSync(argument, "utf8"));
    process.stdout.write(`${JSON.stringify(Object.fromEntries(keys.map((key) => [key, value(key) ?? null])), null, 2)}\n`);
  } else {
    unsupported(call);
  }
}

/** @param {Call} call @returns {never} */
function unsupported(call) {
  process.stderr.write(`wrangler stand-in: no stand-in for \`wrangler ${call.words.join(" ")}\`; run it against the real wrangler\n`);
  process.exit(9);
}

const argv = process.argv.slice(2);
if (process.env.WRANGLER_STAND_IN_LOG) appendFileSync(process.env.WRANGLER_STAND_IN_LOG, `${JSON.stringify(argv)}\n`);
const call = parse(argv);
if (call.words[0] === "d1") d1(call);
else if (call.words[0] === "kv") kv(call);
else if (call.words[0] === "whoami") process.stdout.write(`${JSON.stringify({ email: "ann.am@telemessage.example", authType: "OAuth Token" })}\n`);
else unsupported(call);
