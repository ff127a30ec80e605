// The house has two wings (issue 13 §1): what the Worker ships, and src/tools/, which runs only in Node and
// is never bundled. The Worker's import closure, walked from src/index.ts as the bundler walks it, must never
// enter src/tools/ nor reach a Node built-in (workerd has only what nodejs_compat polyfills, and a tool's
// `node:child_process` in the bundle would be dead weight at best); and no module of the Worker's rooms
// (src/ outside src/tools/) may import either, whether index.ts reaches it today or not.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { closureOf, importsOf, isNodeBuiltin, sourceFiles, specifiersOf } from "../support/import-graph.ts";

const root = join(import.meta.dirname, "..", "..");
const ENTRY = "src/index.ts";
const TOOLS = "src/tools/";

const closure = closureOf(root, ENTRY);
const workerRooms = sourceFiles(root, "src").filter((file) => !file.startsWith(TOOLS));

describe("reading the import graph", () => {
  it("finds every specifier of a file, over several lines, re-exports, side-effect and dynamic imports", () => {
    const text = [
      'import {\n  a,\n  b,\n} from "./multi-line.ts";',
      'import type { T } from "../types.ts";',
      'export { c } from "./re-export.ts";',
      'import "./side-effect.ts";',
      'const fs = await import("node:fs");',
      '// import "./commented-out.ts";',
    ].join("\n");
    expect(specifiersOf(text)).toEqual(["./multi-line.ts", "../types.ts", "./re-export.ts", "./side-effect.ts", "node:fs"]);
  });

  it("tells Node built-ins from packages, with or without the node: prefix", () => {
    for (const builtin of ["node:fs", "fs", "fs/promises", "node:child_process", "path", "os"]) expect(isNodeBuiltin(builtin), builtin).toBe(true);
    for (const other of ["hono", "hono/factory", "zod", "drizzle-orm/d1", "cloudflare:workers", "jose"]) expect(isNodeBuiltin(other), other).toBe(false);
  });

  it("reaches the Worker's rooms from src/index.ts, and resolves every relative import there", () => {
    // Not vacuous: the walk gets from the entry to each room the Worker is made of.
    for (const room of ["src/app.ts", "src/auth/", "src/db/", "src/http/", "src/outbox/", "src/routes/", "src/scim/", "src/tenants/", "src/users/"]) {
      expect([...closure.keys()].some((file) => file.startsWith(room)), `${room} reached from ${ENTRY}`).toBe(true);
    }
    const unresolved = [...closure].flatMap(([file, { imports }]) => imports.unresolved.map((s) => `${file}: ${s}`));
    expect(unresolved).toEqual([]);
  });
});

describe("the Worker's wing", () => {
  it("never enters src/tools/ from src/index.ts", () => {
    const entered = [...closure].filter(([file]) => file.startsWith(TOOLS)).map(([, { chain }]) => chain.join(" -> "));
    expect(entered, `import chains from ${ENTRY} into ${TOOLS}:\n${entered.join("\n")}`).toEqual([]);
  });

  it("bundles only modules of src/ (nothing of test/ or elsewhere)", () => {
    const outside = [...closure].filter(([file]) => !file.startsWith("src/")).map(([, { chain }]) => chain.join(" -> "));
    expect(outside).toEqual([]);
  });

  it("reaches no Node built-in from src/index.ts", () => {
    const builtins = [...closure].flatMap(([, { chain, imports }]) =>
      imports.packages.filter(isNodeBuiltin).map((specifier) => `${chain.join(" -> ")} -> ${specifier}`),
    );
    expect(builtins, builtins.join("\n")).toEqual([]);
  });

  it("keeps every module of the Worker's rooms free of Node built-ins and of src/tools/, reached from index.ts or not", () => {
    const problems = workerRooms.flatMap((file) => {
      const imports = importsOf(root, file);
      return [
        ...imports.packages.filter(isNodeBuiltin).map((s) => `${file} imports ${s}`),
        ...imports.files.filter((f) => f.startsWith(TOOLS)).map((f) => `${file} imports ${f}`),
      ];
    });
    expect(problems, problems.join("\n")).toEqual([]);
  });
});
