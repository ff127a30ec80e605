// The soak run's verdict (test/bench/soak-check.ts) must be able to fail: it reports nothing wrong for a
// forwarding that worked, and it reports loss and duplication when the core's view says so.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createCoreEmulator, type CoreEmulator } from "../../src/tools/dev/core-emulator.ts";
import { checkCore } from "../bench/soak-check.ts";
import { forwardingPipeline } from "../support/forwarding.ts";
import { allowTenant, devToken, entraUser, newTenantId } from "../support/gateway.ts";
import { testD1 } from "../support/shards.ts";

type SoakD1 = Parameters<typeof checkCore>[0];

async function forwardedTenant() {
  const pipeline = forwardingPipeline({ seed: 5 });
  const tenantId = newTenantId();
  await allowTenant(tenantId);
  const token = await devToken(tenantId);
  const ids: string[] = [];
  for (const mobile of ["447700900101", "447700900102", "447700900103"]) {
    ids.push((await pipeline.scim(token, "POST", "/Users", entraUser(mobile))).body.id);
  }
  await pipeline.scim(token, "DELETE", `/Users/${ids[0]}`);
  await pipeline.drain();
  return { ...pipeline, tenantId };
}

describe("the soak run's core check", () => {
  it("finds nothing lost, duplicated or unsettled when every change was forwarded", async () => {
    const pipeline = await forwardedTenant();
    const check = await checkCore(testD1 as unknown as SoakD1, pipeline.core, [pipeline.tenantId]);
    expect(check).toMatchObject({ users: 3, deletedUsers: 1, lost: 0, duplicated: 0, unsettled: 0, deliveredNeverReceived: 0 });
  });

  it("reports every user as lost, and deliveries the core never received, against a core that holds nothing", async () => {
    const { tenantId } = await forwardedTenant();
    const check = await checkCore(testD1 as unknown as SoakD1, createCoreEmulator(), [tenantId]);
    // Four events, one skipped (the deleted user's create was superseded by its deletion before delivery).
    expect(check).toMatchObject({ users: 3, lost: 3, deliveredNeverReceived: 3 });
  });

  it("reports a change the core applied twice", async () => {
    const pipeline = await forwardedTenant();
    const applied = pipeline.core.events().find((e) => e.outcome === "applied");
    const twice = { ...pipeline.core, events: () => [...pipeline.core.events(), applied!] } as CoreEmulator;
    expect((await checkCore(testD1 as unknown as SoakD1, twice, [pipeline.tenantId])).duplicated).toBe(2); // counted once by Idempotency-Key, once by (user, version)
  });
});
