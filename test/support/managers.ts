// A tenant with several managers, driven through an app of its own: the allow-list answer is never cached
// (tests change the record between requests) and every request-log line is kept, so a test can check what
// the gateway recorded about a write. Requests go to the shared URL or a manager's own Tenant URL.
import { env } from "cloudflare:test";
import { createApp } from "../../src/app.ts";
import { linesInto, testDeps } from "./deps.ts";
import { tenantKey, type TenantRecord } from "../../src/tenants/record.ts";
import { allowTenant, devToken, newTenantId, sendThrough } from "./gateway.ts";
import { testD1 } from "./shards.ts";

export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

export const patchOf = (...operations: unknown[]) => ({ schemas: [PATCH_OP], Operations: operations });

export type Sent = { status: number; body: any; text: string; log: Record<string, unknown> };

export async function managedTenant(record: Partial<TenantRecord>) {
  const tenantId = newTenantId();
  await allowTenant(tenantId, record);
  const token = await devToken(tenantId);
  const lines: string[] = [];
  const app = createApp(testDeps({ log: linesInto(lines) }), { auth: { tenantCacheMs: 0 } });
  /** `via` is a manager key (its Tenant URL) or undefined (the shared /scim/v2). */
  const send = async (via: string | undefined, method: string, path: string, body?: unknown): Promise<Sent> => {
    const res = await sendThrough(app, token, method, `${via ? `/managers/${via}` : ""}${path}`, body);
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text, log: JSON.parse(lines.at(-1) ?? "{}") };
  };
  const setRecord = async (changes: Partial<TenantRecord>) => {
    const current = JSON.parse((await env.TENANTS.get(tenantKey(tenantId))) ?? "{}") as TenantRecord;
    await env.TENANTS.put(tenantKey(tenantId), JSON.stringify({ ...current, ...changes }));
  };
  return { tenantId, token, app, send, setRecord, lines };
}

export type StoredUser = { manager: string | null; active: number; version: number; resource: string };

export async function storedUser(tenantId: string, id: string): Promise<StoredUser | null> {
  return testD1.prepare("SELECT manager, active, version, resource FROM users WHERE tenant_id = ?1 AND id = ?2").bind(tenantId, id).first<StoredUser>();
}

/** The change events recorded for a user, oldest first, with their bodies for the core. */
export async function eventsOf(tenantId: string, userId: string): Promise<{ type: string; version: number; state: string; payload: any }[]> {
  const { results } = await testD1.prepare("SELECT type, version, state, payload FROM change_events WHERE tenant_id = ?1 AND user_id = ?2 ORDER BY version")
    .bind(tenantId, userId)
    .all<{ type: string; version: number; state: string; payload: string }>();
  return results.map((r) => ({ ...r, payload: JSON.parse(r.payload) }));
}
