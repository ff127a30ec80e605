// GET /health: an uptime check with no token and no tenant data; 503 when D1 does not answer.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { linesInto, testDeps } from "../support/deps.ts";

const brokenD1 = {
  prepare: () => {
    throw new Error("D1_ERROR: Network connection lost.");
  },
} as unknown as D1Database;

describe("GET /health", () => {
  it("answers 200 {status: ok, d1: ok} without a token, uncached", async () => {
    const res = await exports.default.fetch(new Request("https://gateway.test/health"));
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(JSON.parse(text)).toEqual({ status: "ok", d1: "ok" });
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("answers 503 when D1 fails, and logs the request with the D1 error class only", async () => {
    const lines: string[] = [];
    const app = createApp(testDeps({ log: linesInto(lines) }));
    const ctx = createExecutionContext();
    const res = await app.request("https://gateway.test/health", {}, { ...env, DB: brokenD1 }, ctx);
    await waitOnExecutionContext(ctx);
    const text = await res.text();
    expect(res.status, text).toBe(503);
    expect(JSON.parse(text)).toEqual({ status: "unavailable", d1: "error" });
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ msg: "request", method: "GET", route: "/health", status: 503, storageError: "D1_ERROR" }),
    ]);
    expect(lines[0]).not.toContain("Network connection lost");
  });

  it("answers HEAD for monitors that only look at the status", async () => {
    const res = await exports.default.fetch(new Request("https://gateway.test/health", { method: "HEAD" }));
    expect(res.status).toBe(200);
  });
});
