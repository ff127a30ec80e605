// The configuration rules that keep development settings out of deployed Workers: development signing
// keys are honoured only when ENVIRONMENT is "development", and CORE_URL must be https elsewhere.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readTrustConfig } from "../../src/auth/trust-config.ts";
import { isLocalDevelopment } from "../../src/environment.ts";
import { coreUrlProblem } from "../../src/outbox/forwarding-config.ts";

const DEV_JWKS = env.TRUSTED_DEV_JWKS;
const vars = (ENVIRONMENT: string | undefined) => ({
  ENTRA_AUDIENCES: "8adf8e6e-67b2-4cf2-a259-e3dc5476c621",
  TRUSTED_DEV_JWKS: DEV_JWKS,
  ...(ENVIRONMENT === undefined ? {} : { ENVIRONMENT }),
});

describe("development signing keys", () => {
  it("are trusted when ENVIRONMENT is development", () => {
    expect(readTrustConfig(vars("development")).trustedJwks?.keys).toHaveLength(1);
  });

  it.each(["staging", "production", "Production", "dev", "", undefined])("are ignored when ENVIRONMENT is %s", (environment) => {
    const config = readTrustConfig(vars(environment));
    expect(config.trustedJwks).toBeUndefined();
    // The same trust as an empty TRUSTED_DEV_JWKS, so the module-scope caches are shared with it.
    expect(config.keyConfigId).toBe(readTrustConfig({ ...vars("production"), TRUSTED_DEV_JWKS: "" }).keyConfigId);
  });

  it("are not even parsed outside development, so a broken value cannot break a deployed Worker", () => {
    expect(readTrustConfig({ ...vars("production"), TRUSTED_DEV_JWKS: "{not json" }).trustedJwks).toBeUndefined();
    expect(() => readTrustConfig({ ...vars("development"), TRUSTED_DEV_JWKS: "{not json" })).toThrow(/JSON Web Key Set/);
  });

  it("count as development only for the exact name, surrounding space aside", () => {
    expect(isLocalDevelopment(" development ")).toBe(true);
    expect(isLocalDevelopment("development-2")).toBe(false);
  });
});

describe("CORE_URL", () => {
  it.each([
    ["https://core.example", "production", undefined],
    ["https://core.example", "development", undefined],
    ["http://localhost:8788", "development", undefined],
    ["http://core.example", "production", "CORE_URL must be https: outside local development"],
    ["http://core.example", "staging", "CORE_URL must be https: outside local development"],
    ["http://core.example", undefined, "CORE_URL must be https: outside local development"],
    ["ftp://core.example", "development", "CORE_URL is not an http(s) URL"],
    ["not a url", "production", "CORE_URL is not a URL"],
    ["", "production", "CORE_URL is not set"],
    [undefined, "production", "CORE_URL is not set"],
  ] as const)("%s in %s: %s", (url, environment, problem) => {
    expect(coreUrlProblem(url, environment)).toBe(problem);
  });
});
