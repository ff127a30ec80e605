// What wrangler.toml promises for every environment: its own bindings (Cloudflare does not inherit them),
// no trust in the development signing key outside local development, an ENVIRONMENT var naming it, request
// URLs logged without their query string, a rate limit that never throttles an Entra provisioning job
// (at least 50 requests/s per tenant), and a CPU bound per invocation.
import { unstable_readConfig } from "wrangler";
import { describe, expect, it } from "vitest";
import { REQUESTS_PER_LEASE } from "../../src/http/tenant-rate-limit.ts";
import { readWranglerToml } from "../support/wrangler-environments.ts";

const config = readWranglerToml();
const deployed = Object.entries(config.env);

describe("wrangler.toml", () => {
  it("has staging and production environments", () => {
    expect(deployed.map(([name]) => name)).toEqual(expect.arrayContaining(["staging", "production"]));
  });

  it.each(deployed)("does not trust the development signing key in %s", (_name, environment) => {
    expect(environment.vars?.TRUSTED_DEV_JWKS).toBe("");
  });

  it.each([["local", config] as const, ...deployed])("declares its own D1, KV and rate limit in %s", (_name, environment) => {
    expect(environment.d1_databases?.map((d) => d.binding)).toContain("DB");
    expect(environment.kv_namespaces?.map((k) => k.binding)).toContain("TENANTS");
    const limit = environment.ratelimits?.find((r) => r.name === "TENANT_RATE_LIMIT_LEASES");
    expect(limit, "TENANT_RATE_LIMIT_LEASES").toBeDefined();
    // The binding counts leases, and each lease lets REQUESTS_PER_LEASE requests through.
    expect((limit!.simple.limit * REQUESTS_PER_LEASE) / limit!.simple.period).toBeGreaterThanOrEqual(50);
    // Whole leases are counted: fewer than 20 in a period would make the limit coarse.
    expect(limit!.simple.limit).toBeGreaterThanOrEqual(20);
  });

  it.each([["local", config] as const, ...deployed])("names itself in ENVIRONMENT in %s (development only at the top level)", (name, environment) => {
    expect(environment.vars?.ENVIRONMENT).toBe(name === "local" ? "development" : name);
  });

  // As wrangler itself resolves each environment (an [env.*] may inherit [observability] or replace it).
  it.each([undefined, ...deployed.map(([name]) => name)])(
    "redacts query strings from logged and traced URLs in %s (an Entra filter holds a mobile number)",
    (name) => {
      const resolved = unstable_readConfig({ config: "wrangler.toml", ...(name ? { env: name } : {}) }, { hideWarnings: true });
      expect(resolved.observability?.redact_query_string).toBe(true);
      expect(resolved.observability?.logs?.invocation_logs).toBe(false);
    },
  );

  it.each(deployed)("keeps Workers Logs' invocation log, which records request URLs, off in %s", (_name, environment) => {
    // `observability` is inherited from the top level unless an environment declares its own.
    const observability = environment.observability ?? config.observability;
    expect(observability?.logs?.enabled ?? observability?.enabled).toBe(true);
    // A lookup's URL holds the user's mobile number in its filter; only our own lines may be logged.
    expect(observability?.logs?.invocation_logs).toBe(false);
  });

  // Issue 11 §2: a generous CPU bound per invocation, stated in every environment (inherited or not). It
  // also caps a cron run and a queue batch, so never below a second.
  it.each([["local", config] as const, ...deployed])("bounds the CPU time of one invocation in %s", (_name, environment) => {
    const cpuMs = environment.limits?.cpu_ms;
    expect(cpuMs, "[limits] cpu_ms").toBeDefined();
    expect(cpuMs).toBeGreaterThanOrEqual(1_000);
    expect(cpuMs).toBeLessThan(30_000);
  });
});
