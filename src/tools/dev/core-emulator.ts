// A stand-in for the TeleMessage core, as a fetch-style handler with in-memory state. The same code is the
// injected `fetch` in the Workers tests and, behind a small Node server (src/tools/dev/core-emulator-server.ts), the
// local service `npm start` runs at http://localhost:8788. No node: imports here.
//
//   POST /v1/provisioning/events   the contract: Bearer token, Idempotency-Key = eventId, body = CoreEvent.
//                                  200 applied; 409 duplicate key or a version at or below the one held;
//                                  400 a body the contract does not describe; 401 a wrong token.
//   GET  /events                   every call received, in order, with the answer given
//   GET  /users                    the state held per user: mobile, active, deleted, version, names
//   POST /_control/fail            misbehave: {"mode":"500"|"429"|"400"|"hang","count"?,"forMs"?,"retryAfter"?}
//   DELETE /_control/fail          behave again
//   POST /_control/reset           forget everything (events, users, failures)
//
// `count` misbehaves for that many calls, `forMs` for that long (by the injected clock), both: whichever
// ends first, neither: until told otherwise. Only the events endpoint misbehaves.
import { z } from "zod";
import { CORE_EVENTS_PATH, CoreEvent } from "../../core-event.ts";

export const FAILURE_MODES = ["500", "429", "400", "hang"] as const;

export const FailureRule = z.object({
  mode: z.enum(FAILURE_MODES),
  count: z.number().int().positive().optional(),
  forMs: z.number().int().positive().optional(),
  /** Seconds, for mode "429" (default 1). */
  retryAfter: z.number().int().nonnegative().optional(),
});
export type FailureRule = z.infer<typeof FailureRule>;

export type ReceivedEvent = {
  receivedAt: string;
  idempotencyKey: string | null;
  status: number;
  outcome: "applied" | "duplicate" | "superseded" | "invalid" | "unauthorized" | `injected ${(typeof FAILURE_MODES)[number]}`;
  /** The body as received, when it was JSON. */
  event: unknown;
};

export type HeldUser = {
  tenantId: string;
  accountId: string;
  userId: string;
  mobile: string;
  active: boolean;
  deleted: boolean;
  version: number;
  manager: string | null;
  eventId: string;
  type: CoreEvent["type"];
  user: CoreEvent["user"];
  appliedAt: string;
};

export type CoreEmulatorOptions = {
  /** The bearer token to require; without one any bearer token is accepted. */
  token?: string;
  now?: () => Date;
};

type ActiveFailure = { rule: FailureRule; remaining: number | undefined; until: number | undefined };

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

export function createCoreEmulator(options: CoreEmulatorOptions = {}) {
  const now = options.now ?? (() => new Date());
  const events: ReceivedEvent[] = [];
  const users = new Map<string, HeldUser>();
  const seenKeys = new Set<string>();
  let failure: ActiveFailure | undefined;

  function fail(rule: FailureRule): void {
    failure = { rule, remaining: rule.count, until: rule.forMs === undefined ? undefined : now().getTime() + rule.forMs };
  }

  /** The failure to inject into this call, if any, counting it. */
  function takeFailure(): FailureRule | undefined {
    if (!failure) return undefined;
    const expired = (failure.until !== undefined && now().getTime() >= failure.until) || failure.remaining === 0;
    if (expired) {
      failure = undefined;
      return undefined;
    }
    if (failure.remaining !== undefined) failure.remaining--;
    return failure.rule;
  }

  async function receive(request: Request): Promise<Response> {
    const text = await request.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const key = request.headers.get("Idempotency-Key");
    const record = (status: number, outcome: ReceivedEvent["outcome"]) =>
      events.push({ receivedAt: now().toISOString(), idempotencyKey: key, status, outcome, event: body });

    const auth = request.headers.get("Authorization") ?? "";
    const authorised = options.token ? auth === `Bearer ${options.token}` : /^Bearer \S+$/.test(auth);
    if (!authorised) {
      record(401, "unauthorized");
      return json({ error: "unauthorized" }, 401, { "WWW-Authenticate": "Bearer" });
    }

    const injected = takeFailure();
    if (injected) {
      record(injected.mode === "hang" ? 0 : Number(injected.mode), `injected ${injected.mode}`);
      if (injected.mode === "hang") return hang(request.signal);
      if (injected.mode === "429") return json({ error: "slow down" }, 429, { "Retry-After": String(injected.retryAfter ?? 1) });
      return json({ error: `injected failure ${injected.mode}` }, Number(injected.mode));
    }

    const parsed = CoreEvent.safeParse(body);
    if (!parsed.success) {
      record(400, "invalid");
      // Paths and messages only: never echo the values, which hold personal data.
      return json({ error: "invalid event", issues: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) }, 400);
    }
    const event = parsed.data;
    if (key !== event.eventId) {
      record(400, "invalid");
      return json({ error: "Idempotency-Key must equal eventId" }, 400);
    }
    if (seenKeys.has(key)) {
      record(409, "duplicate");
      return json({ status: "duplicate" }, 409);
    }
    seenKeys.add(key);
    const userKey = `${event.tenantId}/${event.userId}`;
    const held = users.get(userKey);
    if (held && event.version <= held.version) {
      record(409, "superseded");
      return json({ status: "superseded", heldVersion: held.version }, 409);
    }
    users.set(userKey, {
      tenantId: event.tenantId,
      accountId: event.accountId,
      userId: event.userId,
      mobile: event.mobile,
      active: event.user.active,
      deleted: event.user.deleted,
      version: event.version,
      manager: event.manager,
      eventId: event.eventId,
      type: event.type,
      user: event.user,
      appliedAt: now().toISOString(),
    });
    record(200, "applied");
    return json({ status: "applied", version: event.version });
  }

  async function control(request: Request, path: string): Promise<Response> {
    if (path === "/_control/reset" && request.method === "POST") {
      events.length = 0;
      users.clear();
      seenKeys.clear();
      failure = undefined;
      return new Response(null, { status: 204 });
    }
    if (path === "/_control/fail" && request.method === "DELETE") {
      failure = undefined;
      return new Response(null, { status: 204 });
    }
    if (path === "/_control/fail" && request.method === "POST") {
      const rule = FailureRule.safeParse(await request.json().catch(() => undefined));
      if (!rule.success) return json({ error: "expected {mode, count?, forMs?, retryAfter?}", modes: FAILURE_MODES }, 400);
      fail(rule.data);
      return json({ failing: rule.data });
    }
    return json({ error: "not found" }, 404);
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const tenantId = url.searchParams.get("tenantId");
    if (path === CORE_EVENTS_PATH && request.method === "POST") return receive(request);
    if (path === "/events" && request.method === "GET") {
      return json(tenantId ? events.filter((e) => (e.event as { tenantId?: unknown })?.tenantId === tenantId) : events);
    }
    if (path === "/users" && request.method === "GET") {
      const all = [...users.values()];
      return json(tenantId ? all.filter((u) => u.tenantId === tenantId) : all);
    }
    if (path.startsWith("/_control/")) return control(request, path);
    if (path === "/" && request.method === "GET") {
      return json({ service: "TeleMessage core emulator", endpoints: [`POST ${CORE_EVENTS_PATH}`, "GET /events", "GET /users", "POST /_control/fail", "DELETE /_control/fail", "POST /_control/reset"] });
    }
    return json({ error: "not found" }, 404);
  }

  return {
    handle,
    /** `handle` with fetch's signature, to inject where the Worker expects fetch. */
    fetch: (input: RequestInfo | URL, init?: RequestInit) => handle(new Request(input, init)),
    events: (): ReceivedEvent[] => [...events],
    users: (): HeldUser[] => [...users.values()],
    fail,
    recover: () => {
      failure = undefined;
    },
  };
}

export type CoreEmulator = ReturnType<typeof createCoreEmulator>;

/** Never answers; gives up when the caller does (its deadline aborts the request). */
function hang(signal: AbortSignal): Promise<Response> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}
