import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_USERS, TenantRecord, TenantId, findManager, maxUsersOf, parseStoredRecord, tenantKey } from "../../src/tenants/record.ts";

describe("tenant allow-list record", () => {
  it("normalises the tenant id to lower case for the KV key", () => {
    expect(tenantKey(TenantId.parse(" 72F988BF-86F1-41AF-91AB-2D7CD011DB47 "))).toBe(
      "tenant:72f988bf-86f1-41af-91ab-2d7cd011db47",
    );
  });

  it("rejects a tenant id that is not a GUID", () => {
    expect(TenantId.safeParse("contoso.onmicrosoft.com").success).toBe(false);
  });

  it("rejects duplicate manager names that differ only in case", () => {
    const parsed = TenantRecord.safeParse({ accountId: "A1", name: "Contoso", managers: ["Ann Lee", "ann lee "], enabled: true });
    expect(parsed.success).toBe(false);
  });

  it("finds a manager ignoring case and surrounding space, returning the record's spelling", () => {
    const record = TenantRecord.parse({ accountId: "A1", name: "Contoso", managers: ["Ann Lee"], enabled: true });
    expect(findManager(record, "  ANN LEE ")).toBe("Ann Lee");
    expect(findManager(record, "Bob")).toBeUndefined();
  });

  it("reads a stored record past fields it does not know, naming them, but writes none (the schema stays strict)", () => {
    const stored = { accountId: "A1", name: "Contoso", enabled: true, region: 7, managerKeys: { x: "y" } };
    const read = parseStoredRecord(JSON.stringify(stored));
    expect(read).toEqual({ ok: true, record: { accountId: "A1", name: "Contoso", enabled: true }, unknownFields: ["region", "managerKeys"] });
    expect(TenantRecord.safeParse(stored).success).toBe(false);
  });

  it("still refuses a stored record whose known fields are wrong, unknown fields or not", () => {
    expect(parseStoredRecord(JSON.stringify({ accountId: "A1", name: "Contoso", enabled: "yes", shard: 7 })).ok).toBe(false);
    expect(parseStoredRecord(JSON.stringify({ accountId: "A1", name: "Contoso", enabled: true, authMode: "mtls" })).ok).toBe(false);
    expect(parseStoredRecord("[]").ok).toBe(false);
    expect(parseStoredRecord("{not json").ok).toBe(false);
  });

  it("leaves Object.prototype alone when a stored record names __proto__ or constructor", () => {
    const read = parseStoredRecord('{"accountId":"A1","name":"C","enabled":true,"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}');
    expect(read.ok && read.unknownFields).toEqual(["__proto__", "constructor"]);
    expect(read.ok && Object.getPrototypeOf(read.record)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  // Issue 11 §3: the per-tenant user quota.
  it("reads maxUsers as a positive whole number, and defaults a record without one to a generous 250,000", () => {
    const base = { accountId: "A1", name: "Contoso", enabled: true };
    expect(maxUsersOf(TenantRecord.parse({ ...base, maxUsers: 10 }))).toBe(10);
    expect(maxUsersOf(TenantRecord.parse(base))).toBe(DEFAULT_MAX_USERS);
    expect(DEFAULT_MAX_USERS).toBe(250_000);
    for (const maxUsers of [0, -1, 1.5, "10", null]) expect(TenantRecord.safeParse({ ...base, maxUsers }).success, String(maxUsers)).toBe(false);
  });
});
