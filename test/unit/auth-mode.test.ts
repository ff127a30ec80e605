// Which bearer token a tenant's auth mode admits (docs/security.md, "Auth modes"). The Worker side of
// it is in test/http/tenant-isolation-auth-attacks.test.ts.
import { describe, expect, it } from "vitest";
import { authModeAllows } from "../../src/auth/auth-mode.ts";
import { TenantRecord, type AuthMode } from "../../src/tenants/record.ts";

describe("auth modes", () => {
  it.each([
    [undefined, true, true],
    ["both", true, true],
    ["entra-token", true, false],
    ["secret-token", false, true],
  ] as const)("mode %s admits Entra's token: %s, the secret token: %s", (mode, entra, secret) => {
    expect(authModeAllows(mode as AuthMode | undefined, "entra-token")).toBe(entra);
    expect(authModeAllows(mode as AuthMode | undefined, "secret-token")).toBe(secret);
  });

  it("is stored only as one of the three modes", () => {
    const record = { accountId: "A1", name: "Contoso", enabled: true };
    for (const authMode of ["entra-token", "secret-token", "both"]) expect(TenantRecord.safeParse({ ...record, authMode }).success).toBe(true);
    for (const authMode of ["ENTRA-TOKEN", "none", "", "toString", 1]) expect(TenantRecord.safeParse({ ...record, authMode }).success).toBe(false);
  });
});
