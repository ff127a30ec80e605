// How the Worker imports zod decides the bundle's size. `import { z } from "zod"` takes zod's `z` object,
// which holds every export, so esbuild keeps all of zod in the bundle, its 40-odd message locales included;
// `import * as z from "zod"` lets it drop what is never used. Measured with `npx wrangler deploy --dry-run`:
// 1,400 KiB (263 KiB gzip) before, 839 KiB (185 KiB gzip) after.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const worker = join(root, "src");

function workerFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return relative(worker, path) === "tools" ? [] : workerFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

describe("the Worker's imports that decide its bundle", () => {
  it("imports zod as a namespace, never its all-in-one `z` export", () => {
    const offenders = workerFiles(worker).filter((file) => /import\s*\{\s*z\s*\}\s*from\s*["']zod["']/.test(readFileSync(file, "utf8")));
    expect(offenders.map((file) => relative(root, file))).toEqual([]);
  });
});
