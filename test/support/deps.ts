// The Worker's Deps (src/deps.ts) for tests that build an app or a Worker themselves: the runtime's own, as
// src/index.ts passes them, unless the test replaces one, so each test states only what it controls (a
// clock, the fetch toward Microsoft or the core, where the log lines go).
import type { Deps } from "../../src/deps.ts";
import type { Log } from "../../src/log.ts";
import { buildDeps, runtimeInputs } from "../../src/worker.ts";

export { runtimeInputs };

export const testDeps = (overrides: Partial<Deps> = {}): Deps => buildDeps({ ...runtimeInputs(), ...overrides });

/** A log that keeps each line as the JSON text the runtime would print. */
export const linesInto =
  (lines: string[]): Log =>
  (fields) =>
    void lines.push(JSON.stringify(fields));
