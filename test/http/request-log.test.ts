// Section 8: one structured line per request, with no phone number, e-mail or token in it.
import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app.ts";
import { linesInto, testDeps } from "../support/deps.ts";
import { allowTenant, BASE, call, connectedTenant, devToken, entraUser, newTenantId, sendThrough } from "../support/gateway.ts";

describe("request log", () => {
  it("writes one JSON line per request with id, tenant, route, status and duration, and no personal data", async () => {
    const lines: string[] = [];
    const app = createApp(testDeps({ log: linesInto(lines) }));
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const token = await devToken(tenantId);
    const send = (method: string, path: string, body?: unknown) => sendThrough(app, token, method, path, body);
    const created = await send("POST", "/Users", entraUser("11234567890"));
    await send("POST", "/Users", entraUser("11234567890"));
    await send("GET", "/Users?filter=userName+eq+%2211234567890%22");
    await send("POST", "/Users", entraUser("0123 456 7890"));

    expect(lines).toHaveLength(4);
    const [first, duplicate, lookup, refused] = lines.map((l) => JSON.parse(l));
    expect(first).toMatchObject({ msg: "request", tenant: tenantId, method: "POST", route: "/scim/v2/Users", status: 201 });
    expect(first.requestId).toBe(created.headers.get("x-request-id"));
    expect(typeof first.durationMs).toBe("number");
    expect(duplicate).toMatchObject({ status: 409, scimType: "uniqueness" });
    expect(lookup).toMatchObject({ method: "GET", status: 200 });
    expect(refused).toMatchObject({ status: 400, scimType: "invalidValue" });
    const all = lines.join("\n");
    for (const secret of ["11234567890", "1234567890", "ann.lee@contoso.example", token.slice(0, 20), "4567890"]) {
      expect(all).not.toContain(secret);
    }
  });

  it("records the precise reason for a refused token in the log only", async () => {
    const lines: string[] = [];
    const app = createApp(testDeps({ log: linesInto(lines) }));
    const res = await app.request(`${BASE}/Users`, { headers: { Authorization: "Bearer eyJhbGciOiJub25lIn0.e30." } }, env, createExecutionContext());
    expect(res.status).toBe(401);
    const body = await res.text();
    const line = JSON.parse(lines[0] ?? "{}");
    expect(line.authFailure).toBeTruthy();
    expect(body).not.toContain(line.authFailure);
  });
});

describe("the request line in Workers Logs", () => {
  it("is filed by its level: the deployed Worker writes a 401 with console.warn and a 200 with console.log", async () => {
    const seen: [string, Record<string, unknown>][] = [];
    for (const method of ["log", "warn", "error"] as const) {
      vi.spyOn(console, method).mockImplementation((line: unknown) => {
        const fields = JSON.parse(String(line)) as Record<string, unknown>;
        if (fields.msg === "request") seen.push([method, fields]);
      });
    }
    try {
      const { scim } = await connectedTenant();
      expect((await call("GET", "/Users", { token: "not-a-token" })).status).toBe(401);
      expect((await scim("GET", "/Users?count=0")).status).toBe(200);
    } finally {
      vi.restoreAllMocks();
    }
    expect(seen.map(([method, fields]) => [method, fields.level, fields.status])).toEqual([
      ["warn", "warn", 401],
      ["log", "info", 200],
    ]);
  });

  it("is filed as a warning for a 4xx refusal and as an error for a 5xx: a 400 with console.warn, a 503 with console.error", async () => {
    const seen: [string, Record<string, unknown>][] = [];
    for (const method of ["log", "warn", "error"] as const) {
      vi.spyOn(console, method).mockImplementation((line: unknown) => {
        const fields = JSON.parse(String(line)) as Record<string, unknown>;
        if (fields.msg === "request") seen.push([method, fields]);
      });
    }
    // The app with the runtime's own log writer (src/log.ts), as src/index.ts builds it.
    const app = createApp(testDeps());
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const token = await devToken(tenantId);
    const failingReads = new Proxy(env.DB, {
      get(target, property) {
        if (property === "prepare") return () => ({ bind: () => ({ all: () => Promise.reject(new Error("D1_ERROR: overloaded")), raw: () => Promise.reject(new Error("D1_ERROR: overloaded")), first: () => Promise.reject(new Error("D1_ERROR: overloaded")) }) });
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    try {
      expect((await sendThrough(app, token, "POST", "/Users", entraUser("0123 456 7890"))).status).toBe(400);
      expect((await sendThrough(app, token, "GET", `/Users/${crypto.randomUUID()}`, undefined, { ...env, DB: failingReads })).status).toBe(503);
    } finally {
      vi.restoreAllMocks();
    }
    expect(seen.map(([method, fields]) => [method, fields.level, fields.status])).toEqual([
      ["warn", "warn", 400],
      ["error", "error", 503],
    ]);
  });
});
