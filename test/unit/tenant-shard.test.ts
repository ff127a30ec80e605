// Issue 15 §2: the allow-list record names its shard by D1 binding name; without one, the tenant lives in DB.
// The name is the only thing of the record that picks a binding out of the Worker's env, so it is decided by
// what is allowed (DB, DB_2 ... DB_9999), never by what is known bad.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TenantRecord, parseStoredRecord } from "../../src/tenants/record.ts";
import { byShardNumber, DEFAULT_SHARD, isShardName, shardOf } from "../../src/tenants/shard.ts";

const record = (shard?: unknown) => ({ accountId: "TM-1", name: "Contoso", enabled: true, ...(shard === undefined ? {} : { shard }) });

describe("a tenant's shard", () => {
  it("is DB when the record names none, as for every record written before shards", () => {
    expect(DEFAULT_SHARD).toBe("DB");
    expect(shardOf(TenantRecord.parse(record()))).toBe("DB");
    expect(shardOf(TenantRecord.parse(record("DB_2")))).toBe("DB_2");
  });

  it.each(["DB", "DB_2", "DB_9", "DB_10", "DB_4999", "DB_9999"])("accepts %s", (shard) => {
    expect(TenantRecord.safeParse(record(shard)).success).toBe(true);
  });

  it.each(["users-2", "DB_1", "DB_0", "DB_02", "DB_10000", "db_2", "DB-2", "DB_2 ", " DB", "TENANTS", "CHANGES", "TENANT_RATE_LIMIT_LEASES", "__proto__", "toString", "constructor", "", 2, null, ["DB_2"], { name: "DB_2" }])(
    "refuses %j, so the reader treats the record as invalid (403) rather than open some other binding",
    (shard) => {
      expect(TenantRecord.safeParse(record(shard)).success).toBe(false);
      expect(parseStoredRecord(JSON.stringify(record(shard))).ok).toBe(false);
    },
  );

  it("accepts exactly the shard names, whatever an attacker puts there", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.constantFrom("DB_", "DB_2\n", "DB_2\u0000", "DB\\2")), (shard) => {
        expect(TenantRecord.safeParse(record(shard)).success).toBe(/^DB(_([2-9]|[1-9][0-9]{1,3}))?$/.test(shard));
        expect(isShardName(shard)).toBe(TenantRecord.safeParse(record(shard)).success);
      }),
    );
  });

  it("orders shards by number: DB, DB_2, ..., DB_10", () => {
    expect(["DB_10", "DB_2", "DB", "DB_3"].sort(byShardNumber)).toEqual(["DB", "DB_2", "DB_3", "DB_10"]);
  });
});
