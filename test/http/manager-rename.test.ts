// Issue 12 §1: `tenants update --rename-manager OLD=NEW` moves the users stored under OLD to NEW, one change
// event each, and keeps OLD as an alias. The command runs here as the CLI runs it, with the allow-list on
// the KV binding and the very SQL it sends through `wrangler d1 execute` run as one D1 batch (which is
// what wrangler does locally), against real local D1; the Worker's cron then forwards the events.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createManagerUsers, moveStatements, type ExecuteStatements } from "../../src/users/manager-moves.ts";
import type { UserRow } from "../../src/db/schema.ts";
import { CoreEvent } from "../../src/core-event.ts";
import { updateTenant } from "../../src/tenants/commands.ts";
import { commandDeps as ledgerCommandDeps } from "../support/ledger.ts";
import { tenantKey, type TenantRecord } from "../../src/tenants/record.ts";
import { forwardingPipeline } from "../support/forwarding.ts";
import { allowTenant, devToken, entraUser, newTenantId } from "../support/gateway.ts";
import { eventsOf, managedTenant, patchOf, storedUser } from "../support/managers.ts";
import { d1Of, TEST_SHARD, testD1 } from "../support/shards.ts";

const execute: ExecuteStatements = async (shard, statements) =>
  (await d1Of(shard).batch(statements.map((s) => d1Of(shard).prepare(s)))).map((r) => (r.results ?? []) as Record<string, unknown>[]);

const commandDeps = (now = () => new Date()) =>
  ledgerCommandDeps({ now, users: createManagerUsers(execute, { now, newId: () => crypto.randomUUID() }) });

async function record(tenantId: string): Promise<TenantRecord> {
  return JSON.parse((await env.TENANTS.get(tenantKey(tenantId))) ?? "{}") as TenantRecord;
}

describe("--rename-manager OLD=NEW", () => {
  it("moves every user stored under OLD, one change event each, which the cron forwards so the core learns the new manager", async () => {
    const pipeline = forwardingPipeline();
    const tenantId = newTenantId();
    await allowTenant(tenantId, { managers: ["Ann Manager", "Bob Boss"] });
    const token = await devToken(tenantId);
    const ids: string[] = [];
    for (const [mobile, manager] of [["11234567890", "Ann Manager"], ["11234567891", "ann manager"], ["11234567892", "Bob Boss"]] as const) {
      const created = await pipeline.scim(token, "POST", "/Users", entraUser(mobile, { displayName: manager }));
      expect(created.status, created.text).toBe(201);
      ids.push(created.body.id);
    }
    await pipeline.scim(token, "PATCH", `/Users/${ids[1]}`, patchOf({ op: "Replace", path: "active", value: false }));
    await pipeline.drain();

    const result = await updateTenant(commandDeps(pipeline.clock.now), tenantId, { renameManagers: [{ from: "ANN MANAGER", to: "Ann Smith" }] });
    expect(result.managerUsers).toEqual([{ kind: "renamed", key: "ann-manager", names: ["Ann Manager"], to: "Ann Smith", users: 2, moved: 2, remaining: 0 }]);
    expect((await record(tenantId)).managers).toEqual([
      { key: "ann-manager", name: "Ann Smith", aliases: ["Ann Manager"] },
      { key: "bob-boss", name: "Bob Boss" },
    ]);
    expect(await storedUser(tenantId, ids[0]!)).toMatchObject({ manager: "Ann Smith", version: 2, active: 1 });
    expect(await storedUser(tenantId, ids[1]!)).toMatchObject({ manager: "Ann Smith", version: 3, active: 0 });
    expect(await storedUser(tenantId, ids[2]!)).toMatchObject({ manager: "Bob Boss", version: 1 });
    const moved = (await eventsOf(tenantId, ids[1]!)).at(-1);
    expect(moved).toMatchObject({ type: "user.updated", version: 3, state: "pending", payload: { manager: "Ann Smith", version: 3, user: { active: false } } });
    expect(CoreEvent.safeParse(moved?.payload).success, JSON.stringify(moved?.payload)).toBe(true);

    // The cron re-sends 'pending' events older than 30 s: the moves reach the core like any other change.
    pipeline.clock.advance(60_000);
    await pipeline.cron();
    await pipeline.drain();
    const held = new Map(pipeline.core.users().map((u) => [u.userId, u]));
    expect(ids.map((id) => [held.get(id)?.manager, held.get(id)?.version])).toEqual([
      ["Ann Smith", 2],
      ["Ann Smith", 3],
      ["Bob Boss", 1],
    ]);
  });

  it("moves no user of a tenant that is moving between shards (its fence, issue 15 §3), and says how many remain", async () => {
    const t = await managedTenant({ managers: ["Ann Manager"] });
    const created = await t.send(undefined, "POST", "/Users", entraUser("11234567890"));
    await testD1.prepare("INSERT INTO tenant_fences (tenant_id, state, shard, since) VALUES (?, 'moving-out', 'DB', 'now')").bind(t.tenantId).run();
    const renamed = await updateTenant(commandDeps(), t.tenantId, { renameManagers: [{ from: "Ann Manager", to: "Ann Smith" }] });
    await testD1.prepare("DELETE FROM tenant_fences WHERE tenant_id = ?").bind(t.tenantId).run();
    expect(renamed.managerUsers?.[0]).toMatchObject({ users: 1, moved: 0, remaining: 1 });
    expect((await storedUser(t.tenantId, created.body.id))?.version, "the copy a move is making stays the user's only state").toBe(1);
  });

  it("run again, moves nothing twice and changes nothing", async () => {
    const t = await managedTenant({ managers: ["Ann Manager"] });
    const created = await t.send(undefined, "POST", "/Users", entraUser("11234567890"));
    const first = await updateTenant(commandDeps(), t.tenantId, { renameManagers: [{ from: "Ann Manager", to: "Ann Smith" }] });
    const again = await updateTenant(commandDeps(), t.tenantId, { renameManagers: [{ from: "Ann Manager", to: "Ann Smith" }] });
    expect([first.action, again.action]).toEqual(["updated", "unchanged"]);
    expect(first.managerUsers?.[0]).toMatchObject({ users: 1, moved: 1 });
    expect(again.managerUsers).toEqual([{ kind: "renamed", key: "ann-manager", names: ["Ann Manager"], to: "Ann Smith", users: 0, moved: 0, remaining: 0 }]);
    expect((await eventsOf(t.tenantId, created.body.id)).map((e) => e.version)).toEqual([1, 2]);
  });

  it("skips a user Entra wrote between the read and the move (no event, no lost write), and moves it on the next pass", async () => {
    const t = await managedTenant({ managers: ["Ann Manager"] });
    const created = await t.send(undefined, "POST", "/Users", entraUser("11234567890"));
    const [row] = (await testD1.prepare("SELECT * FROM users WHERE id = ?1").bind(created.body.id).all<Record<string, unknown>>()).results;
    const stale: UserRow = {
      id: created.body.id,
      tenantId: t.tenantId,
      userName: "11234567890",
      mobile: "11234567890",
      externalId: "11234567890",
      active: true,
      manager: "Ann Manager",
      version: 1,
      lastEventId: String(row?.last_event_id),
      resource: JSON.parse(String(row?.resource)),
      createdAt: String(row?.created_at),
      updatedAt: String(row?.updated_at),
    };
    // Entra changes the user after the CLI read it at version 1.
    await t.send(undefined, "PATCH", `/Users/${created.body.id}`, patchOf({ op: "Replace", path: "name.givenName", value: "Annie" }));
    const eventId = crypto.randomUUID();
    const [update] = await execute(TEST_SHARD, moveStatements(stale, await record(t.tenantId), "Ann Smith", new Date().toISOString(), eventId));
    expect(update).toEqual([]);
    expect((await eventsOf(t.tenantId, created.body.id)).map((e) => e.payload.eventId)).not.toContain(eventId);
    expect(await storedUser(t.tenantId, created.body.id)).toMatchObject({ manager: "Ann Manager", version: 2 });

    const users = createManagerUsers(execute, { now: () => new Date(), newId: () => crypto.randomUUID() });
    expect(await users.move(t.tenantId, await record(t.tenantId), ["Ann Manager"], "Ann Smith")).toEqual({ moved: 1, remaining: 0 });
    const after = await storedUser(t.tenantId, created.body.id);
    expect(after).toMatchObject({ manager: "Ann Smith", version: 3 });
    expect(JSON.parse(after?.resource ?? "{}").name.givenName).toBe("Annie");
  });

  it("keeps the statements inert whatever the names hold (quotes, SQL, control characters, other scripts)", async () => {
    const hostile = "Ann'); DROP TABLE users; --\u0000\\ \u202e Zoë";
    const t = await managedTenant({ managers: [hostile] });
    const created = await t.send(undefined, "POST", "/Users", entraUser("11234567890", { displayName: hostile }));
    expect(created.status, created.text).toBe(201);
    const users = createManagerUsers(execute, { now: () => new Date(), newId: () => crypto.randomUUID() });
    expect(await users.count(t.tenantId, await record(t.tenantId), [hostile])).toBe(1);
    expect(await users.move(t.tenantId, await record(t.tenantId), [hostile], "O'Brien \"Bob\"")).toEqual({ moved: 1, remaining: 0 });
    expect((await storedUser(t.tenantId, created.body.id))?.manager).toBe("O'Brien \"Bob\"");
    expect(await users.count(t.tenantId, await record(t.tenantId), ["O'Brien \"Bob\""])).toBe(1);
  });

  it("leaves the old name accepted and stored as the new one, on the shared URL and on the manager's unchanged key", async () => {
    const t = await managedTenant({ managers: [{ key: "ann-manager", name: "Ann Smith", aliases: ["Ann Manager"] }, { key: "bob-boss", name: "Bob Boss" }] });
    const shared = await t.send(undefined, "POST", "/Users", entraUser("11234567890", { displayName: "Ann Manager" }));
    const own = await t.send("ann-manager", "POST", "/Users", entraUser("11234567891", { displayName: "ann manager" }));
    expect([shared.status, own.status], shared.text + own.text).toEqual([201, 201]);
    expect((await storedUser(t.tenantId, shared.body.id))?.manager).toBe("Ann Smith");
    expect((await storedUser(t.tenantId, own.body.id))?.manager).toBe("Ann Smith");
    // Entra keeps reading back the constant it sent, so it sees nothing to change.
    expect(shared.body.displayName).toBe("Ann Manager");
  });
});

describe("--remove-manager", () => {
  it("counts the users stored under the removed manager", async () => {
    const t = await managedTenant({ managers: ["Ann Manager", "Bob Boss"] });
    for (const mobile of ["11234567890", "11234567891"]) await t.send(undefined, "POST", "/Users", entraUser(mobile));
    const result = await updateTenant(commandDeps(), t.tenantId, { removeManagers: ["Ann Manager"] });
    expect(result.managerUsers).toEqual([{ kind: "retired", key: "ann-manager", names: ["Ann Manager"], users: 2 }]);
  });
});
