import { describe, expect, it } from "vitest";
import { readForwardingConfig } from "../../src/outbox/forwarding-config.ts";

describe("forwarding configuration", () => {
  it("reads CORE_URL without a trailing slash, CORE_TOKEN and OUTBOX_RETENTION_DAYS", () => {
    expect(readForwardingConfig({ CORE_URL: "https://core.example/", CORE_TOKEN: " s3cret ", OUTBOX_RETENTION_DAYS: "7" })).toMatchObject({
      coreUrl: "https://core.example",
      coreToken: "s3cret",
      retentionDays: 7,
    });
  });

  it("defaults retention to 30 days", () => {
    expect(readForwardingConfig({}).retentionDays).toBe(30);
  });

  it("treats a CORE_URL that is not http(s) as missing, so events wait instead of going astray", () => {
    expect(readForwardingConfig({ CORE_URL: "ftp://core.example" }).coreUrl).toBeUndefined();
    expect(readForwardingConfig({ CORE_URL: "not a url" }).coreUrl).toBeUndefined();
  });

  it("treats an http CORE_URL outside local development as not set, saying why; allows it locally", () => {
    expect(readForwardingConfig({ CORE_URL: "http://core.example", ENVIRONMENT: "production" })).toMatchObject({
      coreUrl: undefined,
      coreUrlProblem: "CORE_URL must be https: outside local development",
    });
    expect(readForwardingConfig({ CORE_URL: "http://core.example" }).coreUrl, "no ENVIRONMENT counts as deployed").toBeUndefined();
    expect(readForwardingConfig({ CORE_URL: "http://localhost:8788/", ENVIRONMENT: "development" })).toMatchObject({
      coreUrl: "http://localhost:8788",
      coreUrlProblem: undefined,
    });
  });

  it("refuses a retention that is not a whole number of days", () => {
    expect(() => readForwardingConfig({ OUTBOX_RETENTION_DAYS: "0" })).toThrow(/at least 1/);
    expect(() => readForwardingConfig({ OUTBOX_RETENTION_DAYS: "1.5" })).toThrow(/whole number/);
  });

  it("lets the caller replace single fields", () => {
    expect(readForwardingConfig({ CORE_URL: "https://core.example" }, { timeoutMs: 20 })).toMatchObject({ coreUrl: "https://core.example", timeoutMs: 20 });
  });
});
