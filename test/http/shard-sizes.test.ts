// Issue 15 §2: the SQL by which `npm run tenants -- add` places a tenant and `list` shows its size
// (src/tools/tenants/shard-sizes.ts), run against the real local D1s of both shards, with users written
// through the Worker. (The CLI runs the same statements through `wrangler d1 execute <shard>`.)
import { describe, expect, it } from "vitest";
import { createShardSizes } from "../../src/tools/tenants/shard-sizes.ts";
import type { ShardName } from "../../src/tenants/shard.ts";
import { allowTenant, call, devToken, entraUser, newTenantId } from "../support/gateway.ts";
import { d1Of } from "../support/shards.ts";

const BYTES = { user: 1000, event: 400 } as const;
const sizes = createShardSizes(
  ["DB", "DB_2"],
  async (shard, sql) => ({ rows: (await d1Of(shard).prepare(sql).all<Record<string, unknown>>()).results }),
  { bytes: BYTES } as never,
);

async function tenantWithUsers(shard: ShardName, users: number) {
  const tenantId = newTenantId();
  await allowTenant(tenantId, { shard });
  const token = await devToken(tenantId);
  for (let i = 0; i < users; i++) expect((await call("POST", "/Users", { token, body: entraUser(`4412345678${10 + i}`) })).status).toBe(201);
  return tenantId;
}

describe("a shard's size as the tenants CLI reads it", () => {
  it("survey counts the tenant's users and events where they are, and nothing of it on the other shard", async () => {
    const tenantId = await tenantWithUsers("DB_2", 3);
    const [there, elsewhere] = [await sizes.survey("DB_2", tenantId), await sizes.survey("DB", tenantId)];
    expect(there.tenant).toEqual({ users: 3, events: 3 });
    expect(elsewhere.tenant).toEqual({ users: 0, events: 0 });
    expect(there.load.users).toBeGreaterThanOrEqual(3);
    expect(there.load.sizeBytes, "estimated from the counts where D1 reports no size").toBe(there.load.users * BYTES.user + there.load.events * BYTES.event);
  });

  it("tenants lists every tenant on the shard with its users and events", async () => {
    const tenantId = await tenantWithUsers("DB", 2);
    expect((await sizes.tenants("DB")).get(tenantId)).toEqual({ users: 2, events: 2 });
    expect((await sizes.tenants("DB_2")).has(tenantId)).toBe(false);
  });

  it("refuses a tenant id that is not a GUID before any SQL is built", async () => {
    await expect(sizes.survey("DB", "x' OR 1=1 --")).rejects.toThrow(/not a GUID/);
  });
});
