// The operator command's SQL: values reach the statement only after matching a strict pattern.
import { describe, expect, it } from "vitest";
import { UsageError, failedSql, redriveSql, statusSql } from "../../src/tools/outbox/queries.ts";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

describe("outbox command SQL", () => {
  it("redrive demands a scope: an id, a tenant, or --all", () => {
    expect(() => redriveSql({})).toThrow(UsageError);
    expect(redriveSql({ all: true })).toBe(
      "UPDATE change_events SET state = 'pending', enqueued_at = NULL WHERE state = 'failed' RETURNING id, tenant_id, type, version",
    );
  });

  it("scopes by tenant, lower-casing the GUID", () => {
    expect(redriveSql({ tenant: TENANT.toUpperCase() })).toContain(`WHERE state = 'failed' AND tenant_id = '${TENANT}'`);
    expect(statusSql({ tenant: TENANT })).toContain(`WHERE tenant_id = '${TENANT}' GROUP BY state`);
  });

  it.each(["x' OR '1'='1", "'; DROP TABLE users; --", "72f988bf-86f1-41af-91ab-2d7cd011db4", ""])("refuses %j as an id or a tenant", (value) => {
    expect(() => redriveSql({ id: value })).toThrow(UsageError);
    expect(() => failedSql({ tenant: value })).toThrow(UsageError);
  });

  it("lists failed events with a bounded limit", () => {
    expect(failedSql({}, 5)).toMatch(/WHERE state = 'failed' ORDER BY occurred_at LIMIT 5$/);
    expect(() => failedSql({}, 0)).toThrow(UsageError);
  });
});
