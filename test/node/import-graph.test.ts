// The house has two wings (issue 13 §1): what the Worker ships, and src/tools/, which runs only in Node and
// is never bundled. The Worker's import closure, walked from src/index.ts as the bundler walks it, must never
// enter src/tools/ nor reach a Node built-in (workerd has only what nodejs_compat polyfills, and a tool's
// `node:child_process` in the bundle would be dead weight at best); and no module of the Worker's rooms
// (src/ outside src/tools/) may import either, whether index.ts reaches it today or not.
//
// Within the Worker's wing, arrows run one way (issue 13 §4): every room (a folder of src/, or a file at its
// top) stands on a floor, and a module imports only from its own floor or below, type-only imports included;
// rooms on one floor never import each other in a circle. src/tools/ may import anything of the Worker.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { closureOf, importsOf, isNodeBuiltin, sourceFiles, specifiersOf } from "../support/import-graph.ts";

const root = join(import.meta.dirname, "..", "..");
const ENTRY = "src/index.ts";
const TOOLS = "src/tools/";

/**
 * Bottom to top. The protocol, the allow-list format, the core contract, the log line and the deployment's
 * name import nothing of the project above them; storage sits on them; the seam of what varies (deps.ts)
 * names the storage handle; the use cases, the token checks and the outbox (with app-env.ts, the typing of
 * the request they share with the HTTP layer) use storage; the HTTP layer and the routes call them, and so
 * does the account managers' console (its pages, and the cron's publishing of the allow-list); then the
 * app, the Worker's three handlers, and the entry.
 */
const FLOORS: readonly (readonly string[])[] = [
  ["src/scim/", "src/tenants/", "src/core-event.ts", "src/log.ts", "src/environment.ts", "src/freeze-builtins.ts"],
  ["src/db/"],
  ["src/deps.ts"],
  ["src/auth/", "src/users/", "src/outbox/", "src/activity/", "src/app-env.ts"],
  ["src/http/", "src/routes/", "src/console/"],
  ["src/app.ts"],
  ["src/worker.ts"],
  ["src/index.ts"],
];

/** The room of a module: its folder under src/ ("src/users/"), or the file itself at the top of src/. */
const roomOf = (file: string): string => /^src\/[^/]+\//.exec(file)?.[0] ?? file;
const floorOf = (room: string): number => FLOORS.findIndex((rooms) => rooms.includes(room));

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

describe("the floors of the Worker's wing", () => {
  const edges = workerRooms.flatMap((file) => importsOf(root, file).files.map((target) => ({ file, target })));

  it("gives every room of the Worker a floor", () => {
    const homeless = [...new Set(workerRooms.map(roomOf))].filter((room) => floorOf(room) < 0);
    expect(homeless, `rooms without a floor (add them to FLOORS): ${homeless.join(", ")}`).toEqual([]);
  });

  it("never imports from a higher floor", () => {
    const upward = edges
      .filter(({ file, target }) => floorOf(roomOf(target)) > floorOf(roomOf(file)))
      .map(({ file, target }) => `${file} (floor ${floorOf(roomOf(file))}) imports ${target} (floor ${floorOf(roomOf(target))})`);
    expect(upward, upward.join("\n")).toEqual([]);
  });

  it("has no cycle between rooms", () => {
    const next = new Map<string, Set<string>>();
    for (const { file, target } of edges) {
      const [from, to] = [roomOf(file), roomOf(target)];
      if (from !== to) next.set(from, (next.get(from) ?? new Set()).add(to));
    }
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (room: string, path: string[]) => {
      if (state.get(room) === "done") return;
      if (state.get(room) === "open") {
        cycles.push([...path.slice(path.indexOf(room)), room].join(" -> "));
        return;
      }
      state.set(room, "open");
      for (const to of next.get(room) ?? []) visit(to, [...path, room]);
      state.set(room, "done");
    };
    for (const room of next.keys()) visit(room, []);
    expect(cycles, cycles.join("\n")).toEqual([]);
  });

  it("lets nothing but app.ts import the routes", () => {
    const intruders = edges.filter(({ file, target }) => target.startsWith("src/routes/") && !file.startsWith("src/routes/") && file !== "src/app.ts");
    expect(intruders.map(({ file, target }) => `${file} imports ${target}`)).toEqual([]);
  });
});
