// The core emulator keeps the contract the gateway relies on: idempotent by Idempotency-Key, never moves a
// user backwards, refuses what the contract does not describe, and misbehaves exactly as told.
import { describe, expect, it } from "vitest";
import { createCoreEmulator } from "../../src/tools/dev/core-emulator.ts";
import type { CoreEvent } from "../../src/core-event.ts";

const TOKEN = "core-token";
const CORE = "http://core.test";

function event(version: number, overrides: Partial<CoreEvent> = {}): CoreEvent {
  return {
    schemaVersion: 1,
    eventId: `e-${version}`,
    type: version === 1 ? "user.created" : "user.updated",
    occurredAt: "2026-11-28T10:00:00.000Z",
    tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    accountId: "TM-1001",
    manager: "Ann Manager",
    userId: "u-1",
    mobile: "441234567890",
    version,
    user: { userName: "441234567890", externalId: "441234567890", active: true, deleted: false, displayName: "Ann Manager", givenName: `v${version}`, familyName: "Lee", formattedName: null, workEmail: null },
    ...overrides,
  };
}

function post(core: ReturnType<typeof createCoreEmulator>, body: CoreEvent, headers: Record<string, string> = {}) {
  return core.fetch(`${CORE}/v1/provisioning/events`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json", "Idempotency-Key": body.eventId, ...headers },
    body: JSON.stringify(body),
  });
}

const control = (core: ReturnType<typeof createCoreEmulator>, body: unknown) =>
  core.fetch(`${CORE}/_control/fail`, { method: "POST", body: JSON.stringify(body) });

describe("core emulator", () => {
  it("applies an event and shows it at GET /events and the user's state at GET /users", async () => {
    const core = createCoreEmulator({ token: TOKEN });
    expect((await post(core, event(1))).status).toBe(200);
    const events = await (await core.fetch(`${CORE}/events`)).json();
    const users = await (await core.fetch(`${CORE}/users`)).json();
    expect(events).toMatchObject([{ idempotencyKey: "e-1", status: 200, outcome: "applied" }]);
    expect(users).toMatchObject([{ mobile: "441234567890", active: true, deleted: false, version: 1, accountId: "TM-1001" }]);
  });

  it("applies the same Idempotency-Key once: the repeat answers 409", async () => {
    const core = createCoreEmulator({ token: TOKEN });
    await post(core, event(1));
    expect((await post(core, event(1))).status).toBe(409);
    expect(core.events().map((e) => e.outcome)).toEqual(["applied", "duplicate"]);
  });

  it("ignores a version at or below the one it holds (409), so the user never goes backwards", async () => {
    const core = createCoreEmulator({ token: TOKEN });
    await post(core, event(3));
    const late = await post(core, event(2));
    expect(late.status).toBe(409);
    expect(await late.json()).toEqual({ status: "superseded", heldVersion: 3 });
    expect(core.users()[0]).toMatchObject({ version: 3, user: { givenName: "v3" } });
  });

  it("refuses a wrong token (401), a body outside the contract (400) and a key that is not the event id (400)", async () => {
    const core = createCoreEmulator({ token: TOKEN });
    expect((await post(core, event(1), { Authorization: "Bearer nope" })).status).toBe(401);
    const invalid = await post(core, { ...event(1), mobile: "+44 1234" } as CoreEvent);
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(await invalid.json()), "the answer does not echo the values").not.toContain("+44 1234");
    expect((await post(core, event(1), { "Idempotency-Key": "other" })).status).toBe(400);
    expect(core.users()).toEqual([]);
  });

  it("misbehaves for a number of calls: 500, then 429 with Retry-After, then behaves", async () => {
    const core = createCoreEmulator({ token: TOKEN });
    expect((await control(core, { mode: "500", count: 1 })).status).toBe(200);
    expect((await post(core, event(1))).status).toBe(500);
    await control(core, { mode: "429", count: 1, retryAfter: 30 });
    const limited = await post(core, event(1));
    expect([limited.status, limited.headers.get("Retry-After")]).toEqual([429, "30"]);
    expect((await post(core, event(1))).status).toBe(200);
  });

  it("misbehaves for a period by its clock, and until told otherwise without count or period", async () => {
    let now = Date.parse("2026-11-28T10:00:00Z");
    const core = createCoreEmulator({ token: TOKEN, now: () => new Date(now) });
    await control(core, { mode: "400", forMs: 60_000 });
    expect((await post(core, event(1))).status).toBe(400);
    now += 60_000;
    expect((await post(core, event(1))).status).toBe(200);
    await control(core, { mode: "500" });
    for (let i = 0; i < 5; i++) expect((await post(core, event(2 + i))).status).toBe(500);
    expect((await core.fetch(`${CORE}/_control/fail`, { method: "DELETE" })).status).toBe(204);
    expect((await post(core, event(2))).status).toBe(200);
  });

  it("hangs until the caller gives up", async () => {
    const core = createCoreEmulator({ token: TOKEN });
    core.fail({ mode: "hang", count: 1 });
    const controller = new AbortController();
    const call = core.fetch(`${CORE}/v1/provisioning/events`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "Idempotency-Key": "e-1" },
      body: JSON.stringify(event(1)),
      signal: controller.signal,
    });
    controller.abort(new DOMException("gave up", "TimeoutError"));
    await expect(call).rejects.toMatchObject({ name: "TimeoutError" });
  });

  it("rejects an unknown failure mode and forgets everything on reset", async () => {
    const core = createCoreEmulator({ token: TOKEN });
    expect((await control(core, { mode: "teapot" })).status).toBe(400);
    await post(core, event(1));
    expect((await core.fetch(`${CORE}/_control/reset`, { method: "POST" })).status).toBe(204);
    expect([core.events(), core.users()]).toEqual([[], []]);
    expect((await post(core, event(1))).status, "the key is forgotten too").toBe(200);
  });
});
