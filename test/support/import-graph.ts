// The import graph of src/, read the way the compiler reads it: TypeScript's own preProcessFile lists every
// module specifier of a file (static imports and re-exports over any number of lines, `import "x"`, dynamic
// `import()`, type-only imports alike), so nothing here guesses with a regex. Relative specifiers are
// resolved to files; everything else (packages, `node:*`, `cloudflare:*`) is kept as written.
// `typescript-api` is TypeScript 5.9 (an npm alias in package.json): the type check runs TypeScript 7, whose
// compiler is native and has no JavaScript API; 5.9's is the public one that offers preProcessFile.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript-api";

export type ModuleImports = {
  /** Project files this module imports, as paths relative to the repository root (src/...). */
  files: string[];
  /** Specifiers that are not relative: packages and built-ins. */
  packages: string[];
  /** Relative specifiers that name no file. */
  unresolved: string[];
};

/** Every specifier a source text imports or re-exports, in order. */
export function specifiersOf(text: string): string[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles.map((f) => f.fileName);
}

/** Whether a specifier names a Node built-in: `node:fs`, or a bare `fs`, `path`, `fs/promises`. */
export function isNodeBuiltin(specifier: string): boolean {
  if (specifier.startsWith("node:")) return true;
  return builtinModules.includes(specifier) || builtinModules.includes(specifier.split("/")[0] ?? "");
}

const SOURCE = /\.(ts|mts|mjs|js)$/;

/** All source files under `dir` (recursively), relative to `root`, sorted. */
export function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (SOURCE.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(relative(root, path));
    }
  };
  walk(join(root, dir));
  return out.sort();
}

export function importsOf(root: string, file: string): ModuleImports {
  const result: ModuleImports = { files: [], packages: [], unresolved: [] };
  if (!SOURCE.test(file)) return result; // JSON and other assets import nothing
  for (const specifier of specifiersOf(readFileSync(join(root, file), "utf8"))) {
    if (!specifier.startsWith(".")) {
      result.packages.push(specifier);
      continue;
    }
    const target = resolve(root, dirname(file), specifier);
    if (existsSync(target)) result.files.push(relative(root, target));
    else result.unresolved.push(specifier);
  }
  return result;
}

/**
 * The modules reachable from `entry`, each with the chain of imports that first reached it (entry first),
 * so a failure can say how the Worker got there.
 */
export function closureOf(root: string, entry: string): Map<string, { chain: string[]; imports: ModuleImports }> {
  const reached = new Map<string, { chain: string[]; imports: ModuleImports }>();
  const queue: { file: string; chain: string[] }[] = [{ file: entry, chain: [entry] }];
  while (queue.length > 0) {
    const { file, chain } = queue.shift() as { file: string; chain: string[] };
    if (reached.has(file)) continue;
    const imports = importsOf(root, file);
    reached.set(file, { chain, imports });
    for (const next of imports.files) if (!reached.has(next)) queue.push({ file: next, chain: [...chain, next] });
  }
  return reached;
}
