// Issue 14 §3: the console's pages and forms, through the real Worker on the console's host with a valid
// Access token: approve a tenant and find it listed, change it, see every change in its history with the
// Access e-mail; the same validation as the CLI (the commands' own messages); CSRF refused; a concurrent
// edit refused with who made the other change; a secret token shown once; a refusal shown with its fix.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { tenantKey, TenantRecord } from "../../src/tenants/record.ts";
import { d1Ledger } from "../support/ledger.ts";
import { ACCESS_EMAIL, consoleSession, versionOn } from "../support/console.ts";
import { allowTenant, connectedTenant, entraUser, newTenantId } from "../support/gateway.ts";
import { testD1 } from "../support/shards.ts";

const inKv = async (tenantId: string) => {
  const raw = await env.TENANTS.get(tenantKey(tenantId));
  return raw === null ? undefined : TenantRecord.parse(JSON.parse(raw));
};

async function approve(session: Awaited<ReturnType<typeof consoleSession>>, tenantId: string, fields: Record<string, string> = {}) {
  await session.get("/tenants/new");
  return session.post("/tenants", { tenantId, accountId: "TM-1001", name: "Contoso Ltd", managers: "Ann Manager\nBob Boss", reason: "contract signed", ...fields });
}

describe("approving a tenant in the console", () => {
  it("puts it on the allow-list, lists it, and records who approved it and why", async () => {
    const session = await consoleSession();
    const tenantId = newTenantId();
    const approved = await approve(session, tenantId.toUpperCase());
    expect(approved.status, approved.text).toBe(303);
    expect(approved.headers.get("location")).toBe(`/tenants/${tenantId}?done=added`);
    expect(await inKv(tenantId)).toMatchObject({ accountId: "TM-1001", name: "Contoso Ltd", enabled: true, managers: [{ name: "Ann Manager" }, { name: "Bob Boss" }] });

    const list = await session.get(`/?q=${encodeURIComponent("contoso ltd")}`);
    expect(list.status).toBe(200);
    expect(list.text).toContain(`/tenants/${tenantId}`);
    const page = await session.get(`/tenants/${tenantId}?done=added`);
    expect(page.text).toContain("Approved: the tenant is on the allow-list.");
    expect(page.text).toContain(`/scim/v2/managers/ann-manager?aadOptscim062020`);
    const [entry] = await d1Ledger().history(tenantId);
    expect(entry).toMatchObject({ version: 1, action: "added", actor: { name: ACCESS_EMAIL, source: "console" }, reason: "contract signed" });
    expect(page.text).toMatch(new RegExp(`${ACCESS_EMAIL.replace(/\./g, "\\.")} <span class="muted">\\(console\\)</span></td><td>added`));
  });

  it.each([
    ["a tenant id that is not a GUID", { tenantId: "contoso.onmicrosoft.com" }, "an Entra tenant id is a GUID"],
    ["manager names equal but for case", { managers: "Ann Manager\n ann manager " }, "manager names must be unique"],
    ["an empty account", { accountId: " " }, "accountId is required"],
    ["no manager and not 'any'", { managers: "" }, "Name at least one manager"],
    ["a calling code that is not one", { callingCodes: "999" }, "not a country calling code"],
  ])("refuses %s with the CLI's own words, and writes nothing", async (_what, fields, message) => {
    const session = await consoleSession();
    const tenantId = newTenantId();
    const res = await approve(session, tenantId, fields);
    expect(res.status, res.text).toBe(400);
    expect(res.text).toContain(message);
    expect(await inKv(tenantId)).toBeUndefined();
  });

  it("refuses a form without the page's CSRF token, or posted from another site, and writes nothing", async () => {
    const session = await consoleSession();
    const tenantId = newTenantId();
    await session.get("/tenants/new");
    const noToken = await session.post("/tenants", { tenantId, accountId: "TM-1", name: "C", managers: "A", csrf: "" });
    expect(noToken.status).toBe(403);
    const wrongToken = await session.post("/tenants", { tenantId, accountId: "TM-1", name: "C", managers: "A", csrf: "x".repeat(43) });
    expect(wrongToken.status).toBe(403);
    const crossSite = await session.post("/tenants", { tenantId, accountId: "TM-1", name: "C", managers: "A" }, { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" });
    expect(crossSite.status).toBe(403);
    expect(await inKv(tenantId)).toBeUndefined();
  });
});

describe("changing a tenant in the console", () => {
  it("renames a manager, moving its users, and shows the change field by field in the history", async () => {
    const { tenantId, scim } = await connectedTenant({ managers: ["Ann Manager", "Bob Boss"] });
    expect((await scim("POST", "/Users", entraUser("11234567890"))).status).toBe(201);
    const session = await consoleSession();
    const page = await session.get(`/tenants/${tenantId}`);
    const renamed = await session.post(`/tenants/${tenantId}/managers`, { action: "rename", name: "Ann Manager", to: "Ann Smith", version: versionOn(page), reason: "married" });
    expect(renamed.status, renamed.text).toBe(303);
    const after = await session.get(`/tenants/${tenantId}?done=updated`);
    expect(after.text).toContain("Ann Smith");
    expect(after.text).toContain("also accepts Ann Manager");
    expect(after.text).toMatch(/<strong>managers<\/strong>: Ann Manager, Bob Boss → Ann Smith \(was Ann Manager\), Bob Boss/);
    expect(after.text).toContain("married");
    const stored = await testD1.prepare("SELECT manager FROM users WHERE tenant_id = ?").bind(tenantId).first<{ manager: string }>();
    expect(stored?.manager).toBe("Ann Smith");
  });

  it("refuses a change based on a version someone else has changed since, naming them, and keeps their change", async () => {
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const ann = await consoleSession("ann.am@telemessage.example");
    const bob = await consoleSession("bob.am@telemessage.example");
    const annPage = await ann.get(`/tenants/${tenantId}`);
    const bobPage = await bob.get(`/tenants/${tenantId}`);
    expect((await bob.post(`/tenants/${tenantId}/record`, { accountId: "TM-2002", name: "Contoso (Bob)", callingCodes: "", version: versionOn(bobPage) })).status).toBe(303);
    const refused = await ann.post(`/tenants/${tenantId}/disable`, { version: versionOn(annPage) });
    expect(refused.status, refused.text).toBe(409);
    expect(refused.text).toContain("changed after you read it: bob.am@telemessage.example");
    expect(await inKv(tenantId)).toMatchObject({ name: "Contoso (Bob)", enabled: true });
    // The page shown with the refusal carries the new version: repeating the change now works.
    expect((await ann.post(`/tenants/${tenantId}/disable`, { version: versionOn(refused) })).status).toBe(303);
    expect((await inKv(tenantId))?.enabled).toBe(false);
  });

  it("shows an issued secret token once, and never again", async () => {
    const tenantId = newTenantId();
    await allowTenant(tenantId);
    const session = await consoleSession();
    const page = await session.get(`/tenants/${tenantId}`);
    const issued = await session.post(`/tenants/${tenantId}/token`, { authMode: "keep", version: versionOn(page) });
    expect(issued.status, issued.text).toBe(200);
    expect(issued.headers.get("cache-control")).toBe("no-store");
    const token = /tm1\.[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}/.exec(issued.text)?.[0];
    expect(token, issued.text).toBeDefined();
    const later = await session.get(`/tenants/${tenantId}`);
    expect(later.text).not.toContain(token);
    expect(later.text).toContain("issued (sha256 ");
    const history = await d1Ledger().history(tenantId);
    expect(JSON.stringify(history)).not.toContain(token);
  });

  it("shows a refusal Entra received with what to do about it", async () => {
    const { tenantId } = await connectedTenant();
    await testD1.prepare(
      "INSERT INTO tenant_refusals (tenant_id, at, request_id, kind, status, scim_type, reason, detail, sent) VALUES (?, ?, ?, 'create', 400, 'invalidValue', 'unknown_manager', ?, 'Ann Manger')",
    )
      .bind(tenantId, new Date().toISOString(), "req-0001", `displayName "Ann Manger" is not a manager of this tenant.`)
      .run();
    const session = await consoleSession();
    const page = await session.get(`/tenants/${tenantId}`);
    expect(page.text).toContain("req-0001");
    expect(page.text).toContain("the app&#39;s displayName constant is misspelled; set it to &quot;Ann Manager&quot;");
  });

  it("escapes what a record holds, so a customer name cannot inject markup", async () => {
    const tenantId = newTenantId();
    await allowTenant(tenantId, { name: `<script>alert(1)</script>"'&` });
    const session = await consoleSession();
    const page = await session.get(`/tenants/${tenantId}`);
    expect(page.text).not.toContain("<script>alert(1)</script>");
    expect(page.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
  });
});
