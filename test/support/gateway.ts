// Drives the real Worker against the local D1/KV/Queue bindings, as Entra would: its own fetch handler (the
// default export of src/index.ts), called with this workerd's bindings and an execution context whose
// waitUntil work (the outbox relay) goes on after the answer, as in production.
//
// Called directly rather than through the runtime's loopback (`exports.default.fetch`, a subrequest to itself):
// the loopback cost 5.3 ms per SCIM filter request against 2.4 ms direct (300 of each in one test), and the
// Worker's files made some thousands of them: the project alone 87 s of CPU -> 76 s, all 1,024 tests passing
// both ways. Tests about the runtime's own path keep it (health, console-access, the Entra simulator's files).
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import type { JWK } from "jose";
import worker from "../../src/index.ts";
import devKey from "../../src/tools/dev/dev-signing-key.json";
import { signDevToken } from "../../src/tools/dev/dev-token.ts";
import { tenantKey, type TenantRecord } from "../../src/tenants/record.ts";
import { onTestShard } from "./shards.ts";

export const BASE = "https://gateway.test/scim/v2";

let counter = 0;
/** A fresh tenant id per call, so test files and tests never share users. */
export function newTenantId(): string {
  counter++;
  const tail = (Date.now().toString(16) + counter.toString(16).padStart(4, "0")).slice(-12).padStart(12, "0");
  return `${crypto.randomUUID().slice(0, 24)}${tail}`;
}

/** Allow-lists a tenant; on this run's test shard (support/shards.ts) unless the record names its own. */
export async function allowTenant(tenantId: string, record: Partial<TenantRecord> = {}): Promise<void> {
  const full: TenantRecord = { accountId: "TM-1001", name: "Contoso", managers: ["Ann Manager"], enabled: true, ...onTestShard(), ...record };
  await env.TENANTS.put(tenantKey(tenantId), JSON.stringify(full));
}

export const devToken = (tenantId: string, options: { expiresInSeconds?: number; audience?: string } = {}) =>
  signDevToken({ jwk: devKey as JWK, tenantId, ...options });

/** An allow-listed tenant with a token: what most tests start from. */
export async function connectedTenant(record: Partial<TenantRecord> = {}) {
  const tenantId = newTenantId();
  await allowTenant(tenantId, record);
  const token = await devToken(tenantId);
  return { tenantId, token, scim: (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    call(method, path, { token, body, headers }) };
}

export type ScimResponse = { status: number; headers: Headers; body: any; text: string };

export async function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<ScimResponse> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.Authorization ??= `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["Content-Type"] ??= "application/scim+json";
  }
  const url = path.startsWith("http") ? path : `${BASE}${path}`;
  const res = await worker.fetch(new Request(url, { method, headers, ...(body !== undefined ? { body } : {}) }), env, createExecutionContext());
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Entra's create body for a TeleMessage user (aadOptscim062020 shape). */
export function entraUser(mobile: string, overrides: Record<string, unknown> = {}) {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
    externalId: mobile,
    userName: mobile,
    active: true,
    displayName: "Ann Manager",
    emails: [{ primary: true, type: "work", value: "ann.lee@contoso.example" }],
    meta: { resourceType: "User" },
    name: { formatted: "Ann Lee", familyName: "Lee", givenName: "Ann" },
    roles: [],
    ...overrides,
  };
}

/**
 * One SCIM call through an app a test built itself (its own log sink, clock or options), with the bindings
 * given, waiting for the request's waitUntil work (the outbox relay) before answering.
 */
export async function sendThrough(
  app: { request: (input: string, init: RequestInit, env: Env, ctx: ExecutionContext) => Response | Promise<Response> },
  token: string,
  method: string,
  path: string,
  body?: unknown,
  bindings: Env = env,
): Promise<Response> {
  const ctx = createExecutionContext();
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" };
  const res = await app.request(`${BASE}${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) }, bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}
