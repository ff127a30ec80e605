// Issue 13's acceptance: small files named after what they hold. No file of src/ grows past 400 lines; one
// that would is split by what its parts do (e.g. tenants/command-types.ts, tools/tenants/arguments.ts).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAX_LINES = 400;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mjs)$/.test(entry.name) ? [path] : [];
  });
}

it(`keeps every file of src/ at ${MAX_LINES} lines or fewer`, () => {
  const files = sourceFiles(join(ROOT, "src"));
  expect(files.length).toBeGreaterThan(50);
  const long = files
    .map((path) => ({ file: relative(ROOT, path), lines: readFileSync(path, "utf8").split("\n").length - 1 }))
    .filter(({ lines }) => lines > MAX_LINES);
  expect(long).toEqual([]);
});
