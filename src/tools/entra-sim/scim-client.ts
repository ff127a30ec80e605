// Sends the simulator's requests to a gateway and records each one: kind, status, latency. What varies is
// injected (fetch, clock, sleep), so the same client drives a gateway over the network, the Worker's own
// fetch in a test, or a benchmark harness. A 429 (or 503) is retried after its Retry-After, as Entra does.
import type { RequestKind, SimRequest } from "./entra-shapes.ts";

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export type SimDeps = {
  fetch: Fetch;
  /** Milliseconds from any fixed origin (performance.now()); latency and throughput are measured with it. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Progress lines for a person; silent if absent. */
  log?: (line: string) => void;
};

export type Sample = { kind: RequestKind; method: string; status: number; ms: number };

export type Unexpected = { kind: RequestKind; method: string; path: string; status: number; detail?: string };

export type ScimResult = { status: number; body: any; ms: number };

export type ScimClientOptions = {
  /** The SCIM base URL, e.g. http://localhost:8787/scim/v2 (the Tenant URL without its query). */
  baseUrl: string;
  token: string;
  /** Attempts for a throttled request before it counts as unexpected. */
  maxAttempts?: number;
  /** Longest Retry-After honoured, in seconds. */
  maxRetryAfterSeconds?: number;
};

const SCIM_JSON = "application/scim+json";
/** Statuses Entra retries later: throttling and temporary unavailability. */
const RETRIED = new Set([429, 503]);

export function createScimClient(options: ScimClientOptions, deps: SimDeps) {
  const base = options.baseUrl.replace(/\?.*$/, "").replace(/\/+$/, "");
  const maxAttempts = options.maxAttempts ?? 5;
  const maxRetryAfter = options.maxRetryAfterSeconds ?? 30;
  const samples: Sample[] = [];
  const retried: Sample[] = [];

  async function send(request: SimRequest): Promise<ScimResult> {
    for (let attempt = 1; ; attempt++) {
      const started = deps.now();
      const response = await deps.fetch(`${base}${request.path}`, {
        method: request.method,
        headers: {
          Authorization: `Bearer ${options.token}`,
          Accept: SCIM_JSON,
          ...(request.body === undefined ? {} : { "Content-Type": SCIM_JSON }),
        },
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      });
      const text = await response.text();
      const ms = deps.now() - started;
      const sample = { kind: request.kind, method: request.method, status: response.status, ms };
      samples.push(sample);
      if (RETRIED.has(response.status) && attempt < maxAttempts) {
        retried.push(sample);
        const seconds = Number(response.headers.get("Retry-After") ?? "1");
        await deps.sleep(1000 * Math.min(Number.isFinite(seconds) && seconds >= 0 ? seconds : 1, maxRetryAfter));
        continue;
      }
      return { status: response.status, body: parseJson(text), ms };
    }
  }

  return { send, samples, retried };
}

export type ScimClient = ReturnType<typeof createScimClient>;

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Runs `task` over `items` with at most `concurrency` at once; resolves when all are done. */
export async function runPool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}
