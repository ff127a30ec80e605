// Issue 15 §1: docs/capacity.md is computed, not written. The committed document must be exactly what the
// model renders from the committed measured inputs (src/tools/capacity/measured.json) and wrangler.toml, so a
// change to the code, the schema or the configuration that moves a figure fails here until
// `npm run capacity:measure` (or `npm run capacity`, for wrangler.toml) is run again. The placement rule
// `npm run tenants -- add` uses is the model's own.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderCapacityDoc } from "../../src/tools/capacity/doc.ts";
import { CAPACITY_DOC_PATH, CHOICES, MEASURED_PATH, capacityFigures, placeTenant, type MeasuredInputs } from "../../src/tools/capacity/model.ts";
import { readPolicy } from "../../src/tools/capacity/policy.ts";
import { readWranglerToml } from "../support/wrangler-environments.ts";

const measured = JSON.parse(readFileSync(MEASURED_PATH, "utf8")) as MeasuredInputs;
const policy = readPolicy();
const figures = capacityFigures(measured, policy);

describe("docs/capacity.md", () => {
  it("is what the model computes from the committed measured inputs and wrangler.toml", () => {
    expect(readFileSync(CAPACITY_DOC_PATH, "utf8"), "run `npm run capacity` (or `npm run capacity:measure`)").toBe(renderCapacityDoc(measured, policy));
  });

  it("takes its policy from wrangler.toml, which states the same retention and rate limit in every environment", () => {
    const config = readWranglerToml();
    expect(policy.retentionDays).toBe(Number(config.vars?.OUTBOX_RETENTION_DAYS));
    for (const [name, environment] of Object.entries(config.env)) {
      expect(environment.vars?.OUTBOX_RETENTION_DAYS, name).toBe(config.vars?.OUTBOX_RETENTION_DAYS);
      expect(environment.ratelimits?.find((r) => r.name === "TENANT_RATE_LIMIT_LEASES")?.simple, name).toEqual(
        config.ratelimits?.find((r) => r.name === "TENANT_RATE_LIMIT_LEASES")?.simple,
      );
    }
  });

  it("counts every measured input: bytes and D1 time are positive, and a user's storage includes its kept events", () => {
    for (const [what, bytes] of Object.entries(measured.bytes)) expect(bytes, what).toBeGreaterThan(0);
    for (const kind of ["lookup", "get", "create", "patch", "delete", "relay", "delivery"] as const) expect(measured.requests[kind].statements, kind).toBeGreaterThan(0);
    expect(figures.userBytes).toBeCloseTo(measured.bytes.user + figures.eventsKept * measured.bytes.event + measured.bytes.cursor);
    expect(figures.eventsKept).toBe((CHOICES.eventsPerUserPerMonth * policy.retentionDays) / 30);
  });
});

describe("placing a new tenant (npm run tenants -- add)", () => {
  const gb = 1000 ** 3;

  it("picks the shard with the most headroom", () => {
    const placement = placeTenant(
      [
        { shard: "DB", sizeBytes: 2 * gb, users: 10 },
        { shard: "DB_2", sizeBytes: 0.5 * gb, users: 10 },
        { shard: "DB_3", sizeBytes: 1 * gb, users: 10 },
      ],
      figures,
    );
    expect(placement).toMatchObject({ ok: true, shard: "DB_2" });
  });

  it("counts a shard's users at the size their kept events will grow them to, not only its bytes now", () => {
    // DB_2 is smaller today, but its users will fill it once a month of events is kept.
    const grown = Math.ceil((3 * gb) / figures.userBytes);
    const placement = placeTenant(
      [
        { shard: "DB", sizeBytes: 1 * gb, users: 0 },
        { shard: "DB_2", sizeBytes: 0.2 * gb, users: grown },
      ],
      figures,
    );
    expect(placement).toMatchObject({ ok: true, shard: "DB" });
  });

  it("refuses, saying to add a shard, when even the emptiest has no room for the largest expected tenant", () => {
    const nearlyFull = figures.targetBytes - figures.tenantBytes(CHOICES.largestTenantUsers) / 2;
    const placement = placeTenant(
      [
        { shard: "DB", sizeBytes: nearlyFull, users: 0 },
        { shard: "DB_2", sizeBytes: nearlyFull + gb, users: 0 },
      ],
      figures,
    );
    expect(placement.ok).toBe(false);
    expect(placement.ok || placement.reason).toMatch(/add a shard .* or name one with --shard/);
  });
});
