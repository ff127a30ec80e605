// The Worker's one log writer (src/log.ts): one JSON line per call, on the console method of its level, so
// Workers Logs files a 4xx request as a warning and a 5xx or a lost delivery as an error.
import { afterEach, describe, expect, it, vi } from "vitest";
import { writeJsonLine } from "../../src/log.ts";

afterEach(() => vi.restoreAllMocks());

function captureConsole() {
  const seen: [string, string][] = [];
  for (const method of ["log", "warn", "error"] as const) {
    vi.spyOn(console, method).mockImplementation((line: unknown) => void seen.push([method, String(line)]));
  }
  return seen;
}

describe("writeJsonLine", () => {
  it("writes an error line with console.error, a warning with console.warn and anything else with console.log", () => {
    const seen = captureConsole();
    writeJsonLine({ level: "error", msg: "unhandled error", requestId: "r1" });
    writeJsonLine({ level: "warn", msg: "request", status: 404 });
    writeJsonLine({ level: "info", msg: "request", status: 200 });
    writeJsonLine({ msg: "no level" });
    expect(seen).toEqual([
      ["error", '{"level":"error","msg":"unhandled error","requestId":"r1"}'],
      ["warn", '{"level":"warn","msg":"request","status":404}'],
      ["log", '{"level":"info","msg":"request","status":200}'],
      ["log", '{"msg":"no level"}'],
    ]);
  });

  it("looks the console method up per line, so a replacement made later is heard", () => {
    const first = captureConsole();
    writeJsonLine({ level: "warn", msg: "one" });
    vi.restoreAllMocks();
    const second = captureConsole();
    writeJsonLine({ level: "warn", msg: "two" });
    expect(first.map(([, line]) => JSON.parse(line).msg)).toEqual(["one"]);
    expect(second.map(([, line]) => JSON.parse(line).msg)).toEqual(["two"]);
  });
});
