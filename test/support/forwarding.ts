// The forwarding pipeline inside workerd, with every moving part controlled: the Worker built by
// createWorker (the same factory src/index.ts uses) with Deps of the test's own: the core emulator as its
// fetch, a clock the test moves, seeded jitter; and a TestQueue standing in for the queue binding. Requests
// go through the Worker's fetch with env.CHANGES replaced by the TestQueue (env is the Worker's injected parameter);
// the consumer and the cron run through the Worker's own queue() and scheduled() handlers, with real
// local D1 and KV. The TestQueue behaves as Queues may: it hands messages over in any order, offers a
// retried message again (after its delay, by the test clock) with attempts + 1, moves a message past
// max_retries to the dead-letter queue, and can refuse sends or deliver a message twice.
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  env,
  getQueueResult,
  waitOnExecutionContext,
  type QueueResult,
} from "cloudflare:test";
import { createCoreEmulator } from "../../src/tools/dev/core-emulator.ts";
import type { ForwardingConfig } from "../../src/outbox/forwarding-config.ts";
import { createWorker } from "../../src/worker.ts";
import { runtimeInputs } from "./deps.ts";
import { BASE, type ScimResponse } from "./gateway.ts";

/** As wrangler.toml configures the change queue's consumer. */
export const CHANGE_QUEUE = "telemessage-user-changes";
export const DEAD_LETTER_QUEUE = "telemessage-user-changes-dlq";
export const MAX_RETRIES = 24;
export const MAX_BATCH_SIZE = 10;

/** Deterministic [0, 1) numbers (mulberry32), so a failing run can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type TestClock = { now: () => Date; advance: (ms: number) => void };

export function testClock(start = Date.now()): TestClock {
  let t = start;
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}

type Queued = { id: string; body: unknown; attempts: number; timestamp: Date; notBefore: number };

export class TestQueue implements Queue<unknown> {
  ready: Queued[] = [];
  deadLetters: Queued[] = [];
  /** Bodies of every message ever sent, in order. */
  sent: unknown[] = [];
  /** Messages per successful send call. */
  batchSizes: number[] = [];
  /** The next this-many send calls throw, as a failing Queues API would. */
  failSends = 0;
  /** Probability that a sent message is delivered twice (Queues deliver at least once). */
  duplicateRate = 0;
  private seq = 0;

  constructor(
    private readonly clock: TestClock,
    private readonly random: () => number,
  ) {}

  async send(body: unknown): Promise<QueueSendResponse> {
    await this.sendBatch([{ body }]);
    return { metadata: { metrics: { backlogCount: this.ready.length, backlogBytes: 0 } } };
  }

  async sendBatch(messages: Iterable<MessageSendRequest<unknown>>): Promise<QueueSendBatchResponse> {
    if (this.failSends > 0) {
      this.failSends--;
      throw new Error("Queue send failed (TestQueue)");
    }
    const list = [...messages];
    this.batchSizes.push(list.length);
    for (const { body } of list) {
      this.sent.push(body);
      const copies = this.random() < this.duplicateRate ? 2 : 1;
      for (let i = 0; i < copies; i++) this.enqueue(structuredClone(body), 1);
    }
    return { metadata: { metrics: { backlogCount: this.ready.length, backlogBytes: 0 } } };
  }

  async metrics(): Promise<QueueMetrics> {
    return { backlogCount: this.ready.length, backlogBytes: 0 };
  }

  enqueue(body: unknown, attempts: number, delaySeconds = 0): void {
    const now = this.clock.now();
    this.ready.push({ id: `m${++this.seq}`, body, attempts, timestamp: now, notBefore: now.getTime() + delaySeconds * 1000 });
  }

  /** Up to `max` messages due now, in random order, removed from the queue. */
  take(max: number): Queued[] {
    const due = this.ready.filter((m) => m.notBefore <= this.clock.now().getTime());
    shuffle(due, this.random);
    const taken = due.slice(0, max);
    this.ready = this.ready.filter((m) => !taken.includes(m));
    return taken;
  }

  /** When the next retried message becomes due, if none is due now. */
  nextDue(): number | undefined {
    return this.ready.length === 0 ? undefined : Math.min(...this.ready.map((m) => m.notBefore));
  }
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}

export type Forwarding = ReturnType<typeof forwardingPipeline>;

/** The tenant a bearer token is for: a JWT's tid claim, or the tenant a secret token names. */
function tenantOfToken(token: string): string | undefined {
  const secret = /^tm1\.([0-9a-f-]{36})\./.exec(token)?.[1];
  if (secret) return secret;
  try {
    const payload = JSON.parse(atob((token.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/"))) as { tid?: unknown };
    return typeof payload.tid === "string" ? payload.tid.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

export function forwardingPipeline(options: { seed?: number; outbox?: Partial<ForwardingConfig>; maxRetries?: number } = {}) {
  const clock = testClock();
  const random = seededRandom(options.seed ?? 1);
  const core = createCoreEmulator({ token: env.CORE_TOKEN, now: clock.now });
  // The test files share one D1 (vitest isolate: false), so this pipeline's cron also re-sends what other
  // files left pending or enqueued. Those events reach a core of their own, `strays`; `core` sees only the
  // tenants this pipeline sent requests for (or adopted), so a test's assertions on it stay exact.
  const strays = createCoreEmulator({ token: env.CORE_TOKEN, now: clock.now });
  const own = new Set<string>();
  const adopt = (tenantId: string) => void own.add(tenantId.toLowerCase());
  const routedFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    let tenantId: unknown;
    try {
      tenantId = (JSON.parse(typeof init?.body === "string" ? init.body : "{}") as { tenantId?: unknown }).tenantId;
    } catch {
      tenantId = undefined;
    }
    return (typeof tenantId === "string" && !own.has(tenantId.toLowerCase()) ? strays : core).fetch(input, init);
  };
  const queue = new TestQueue(clock, random);
  /** The queued messages of this pipeline's tenants: its cron may also have queued other files' events. */
  const readyOwn = () => queue.ready.filter((m) => own.has(String((m.body as { tenantId?: unknown }).tenantId).toLowerCase()));
  const logs: Record<string, unknown>[] = [];
  const worker = createWorker(
    {
      ...runtimeInputs(),
      fetch: routedFetch,
      now: clock.now,
      random,
      // The outbox's lines (delivery, outbox, relay); the request log's are left out, as the tests read these.
      log: (fields) => void (fields.msg === "request" || logs.push(fields)),
    },
    { forwarding: options.outbox },
  );
  const workerEnv: Env = { ...env, CHANGES: queue };
  const maxRetries = options.maxRetries ?? MAX_RETRIES;

  /** A SCIM call through the Worker's fetch; waits for its waitUntil work (the relay) to finish. */
  async function scim(token: string, method: string, path: string, body?: unknown): Promise<ScimResponse> {
    const tenantId = tenantOfToken(token);
    if (tenantId) adopt(tenantId);
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (body !== undefined) headers["Content-Type"] = "application/scim+json";
    const ctx = createExecutionContext();
    const request = new Request(`${BASE}${path}`, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
    const res = await worker.fetch(request, workerEnv, ctx);
    const text = await res.text();
    await waitOnExecutionContext(ctx);
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined, text };
  }

  /**
   * One consumer invocation, as Queues would make it, over the given queued messages. getQueueResult does
   * not report a retry's delaySeconds, so each message's retry() is wrapped to note it.
   */
  async function invoke(queueName: string, messages: Queued[], invokeEnv: Env = workerEnv): Promise<QueueResult> {
    const batch = createMessageBatch(
      queueName,
      messages.map((m) => ({ id: m.id, timestamp: m.timestamp, attempts: m.attempts, body: m.body })),
    );
    const delays = new Map<string, number | undefined>();
    for (const message of batch.messages) {
      const retry = message.retry.bind(message);
      message.retry = (options?: QueueRetryOptions) => {
        delays.set(message.id, options?.delaySeconds);
        retry(options);
      };
    }
    const ctx = createExecutionContext();
    await worker.queue(batch, invokeEnv, ctx);
    const result = await getQueueResult(batch, ctx);
    return { ...result, retryMessages: result.retryMessages.map((r) => ({ ...r, delaySeconds: delays.get(r.msgId) })) };
  }

  /** Applies a batch result as Queues does: acked messages leave, retried ones return later or dead-letter. */
  function settle(messages: Queued[], result: QueueResult): void {
    const acked = new Set(result.explicitAcks);
    const retried = new Map(result.retryMessages.map((r) => [r.msgId, r.delaySeconds ?? 0]));
    for (const m of messages) {
      const retryAll = result.retryBatch.retry || result.outcome !== "ok";
      if (acked.has(m.id) || (result.ackAll && !retried.has(m.id))) continue;
      if (!retried.has(m.id) && !retryAll) continue;
      if (m.attempts >= maxRetries + 1) queue.deadLetters.push(m);
      else queue.enqueue(m.body, m.attempts + 1, retried.get(m.id) ?? result.retryBatch.delaySeconds ?? 0);
    }
  }

  /**
   * Runs the consumer until the queue is empty: batches of up to MAX_BATCH_SIZE in random order, up to
   * `concurrency` invocations at once (max_concurrency); when only retried messages remain, moves the clock
   * to the first one due. Dead letters then go through the Worker's handler for the dead-letter queue.
   * Returns the number of consumer invocations.
   */
  async function drain(options: { concurrency?: number; limit?: number } = {}): Promise<number> {
    const { concurrency = 1, limit = 10_000 } = options;
    let invocations = 0;
    while (invocations < limit) {
      const batches: Queued[][] = [];
      while (batches.length < concurrency) {
        const batch = queue.take(MAX_BATCH_SIZE);
        if (batch.length === 0) break;
        batches.push(batch);
      }
      if (batches.length === 0) {
        const due = queue.nextDue();
        if (due === undefined) break;
        clock.advance(Math.max(0, due - clock.now().getTime()));
        continue;
      }
      const results = await Promise.all(batches.map((batch) => invoke(CHANGE_QUEUE, batch)));
      batches.forEach((batch, i) => settle(batch, results[i]!));
      invocations += batches.length;
    }
    if (queue.deadLetters.length > 0) {
      const dead = queue.deadLetters.splice(0);
      await invoke(DEAD_LETTER_QUEUE, dead);
    }
    return invocations;
  }

  /** One run of the Worker's scheduled handler at the test clock's time. */
  async function cron(): Promise<void> {
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: clock.now(), cron: "* * * * *" }), workerEnv, ctx);
    await waitOnExecutionContext(ctx);
  }

  return { clock, core, strays, adopt, queue, readyOwn, logs, worker, env: workerEnv, scim, invoke, drain, cron };
}

/** The outbox rows of one tenant, oldest first. */
export async function eventRows(tenantId: string) {
  const { results } = await env.DB.prepare(
    "SELECT id, user_id, type, version, state, attempts, last_status, last_error FROM change_events WHERE tenant_id = ? ORDER BY occurred_at, version",
  )
    .bind(tenantId)
    .all<{ id: string; user_id: string; type: string; version: number; state: string; attempts: number; last_status: number | null; last_error: string | null }>();
  return results;
}
