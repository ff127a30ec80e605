// Issue 15 §2: one function resolves a tenant to its D1 binding. The Worker reaches a shard's database only
// through src/db/shards.ts (Deps.database, .shard and .shards are built on it in src/worker.ts), so no code
// path can open a tenant's rows on another shard by naming a binding itself. This reads every module of
// src/ and fails on any other that reads a DB binding from an env (env.DB, c.env.DB_2, env["DB"], a
// destructured { DB }) or indexes an env by a computed name.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sourceFiles } from "../support/import-graph.ts";

const root = join(import.meta.dirname, "..", "..");
const RESOLVER = "src/db/shards.ts";

const COMPUTED = "indexes an env by a computed name";
const READS: [string, RegExp][] = [
  ["reads a DB binding as a property", /\.\s*DB(?:_\d+)?\b/],
  ["reads a DB binding by a quoted name", /\[\s*["'`]DB(?:_\d+)?["'`]\s*\]/],
  [COMPUTED, /\benv\b(?:\s+as\s+[^)]*)?\s*\)?\s*\[/],
  ["destructures a DB binding", /\{[^{}]*\bDB(?:_\d+)?\b[^{}]*\}\s*=\s*[\w.]*\benv\b/],
];

/**
 * Each match as "file:line: what", comments left out (they may name env.DB to explain). In the Node wing
 * (src/tools/) an env is process.env, which holds no binding: only the named reads count there.
 */
function readsOf(file: string): string[] {
  const found: string[] = [];
  const nodeWing = file.startsWith("src/tools/");
  readFileSync(join(root, file), "utf8")
    .split("\n")
    .forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, "").replace(/^\s*\*.*$/, "");
      for (const [what, pattern] of READS) {
        if (nodeWing && what === COMPUTED) continue;
        if (pattern.test(code)) found.push(`${file}:${i + 1}: ${what}: ${line.trim()}`);
      }
    });
  return found;
}

describe("the one resolution of a tenant to its D1 binding", () => {
  it("catches each way of reading a binding (the check itself works)", () => {
    const probe = (code: string) => READS.some(([, pattern]) => pattern.test(code));
    for (const code of ["env.DB.prepare(sql)", "c.env.DB_2", "env[\"DB\"]", "env[name]", "(env as Record<string, unknown>)[name]", "const { DB } = env;", "const { DB_2: db } = c.env"]) {
      expect(probe(code), code).toBe(true);
    }
    for (const code of ["deps.database(env, tenant)", "const DB_BINDING = \"DB\";", "env.TENANTS.get(key)", "env.CHANGES"]) expect(probe(code), code).toBe(false);
  });

  it(`is ${RESOLVER}: no other module of src/ reads a DB binding from an env`, () => {
    const files = sourceFiles(root, "src").filter((file) => file !== RESOLVER);
    expect(files.length).toBeGreaterThan(50);
    const reads = files.flatMap(readsOf);
    expect(reads, reads.join("\n")).toEqual([]);
  });

  it(`finds what ${RESOLVER} itself does (so the check would see it elsewhere)`, () => {
    expect(readsOf(RESOLVER).length).toBeGreaterThan(0);
  });
});
