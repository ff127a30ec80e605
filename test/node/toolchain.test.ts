// The command-line tools run on the project's own Node (>= 22.12), which npm scripts put first on PATH.
import { describe, expect, it } from "vitest";

describe("toolchain", () => {
  it("runs the command-line tests on Node 22.12 or newer", () => {
    const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
    expect(major > 22 || (major === 22 && minor >= 12), process.versions.node).toBe(true);
  });
});
