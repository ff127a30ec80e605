// The account managers' console in a real browser (issue 14 §3): Debian's headless Chromium, driven by
// playwright-core, against `npm start` (test/browser/local-gateway.ts). One gateway, one browser, one
// account manager's session: sign in through the local stand-in for Cloudflare Access, approve a tenant,
// find it in the list, rename one of its managers, read the change in the history, then, after the tenant's
// Entra app sends a national number, read the refusal and its fix; last, a secret token shown once, and a
// form posted without its CSRF token refused. JavaScript is off in the page: the console needs none. Every
// page is saved as a screenshot in test/browser/screenshots/ (two are committed; the README links one).
// Without Chromium (CHROMIUM_PATH, else /usr/bin/chromium) the tests are skipped and the config prints how
// to run them.
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import devSigningKey from "../../src/tools/dev/dev-signing-key.json" with { type: "json" };
import { signDevToken } from "../../src/tools/dev/dev-token.ts";
import { CHROMIUM_PATH, chromiumFound, startLocalGateway, type LocalGateway } from "./local-gateway.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const SHOTS = fileURLToPath(new URL("./screenshots/", import.meta.url));
const EMAIL = "ann.am@telemessage.example";
const TENANT = randomUUID();
const CUSTOMER = `Browser Test Customer ${TENANT.slice(0, 8)}`;

// CI (.ci/run) sets BROWSER_TESTS=required: there a missing browser fails instead of skipping.
it.runIf(!chromiumFound() && process.env.BROWSER_TESTS === "required")(`finds Chromium at ${CHROMIUM_PATH} (BROWSER_TESTS=required)`, () => {
  expect.fail(`No Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (as root), or set CHROMIUM_PATH.`);
});

describe.skipIf(!chromiumFound())(`the console in Chromium (${CHROMIUM_PATH}) against npm start`, () => {
  let gateway: LocalGateway;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    gateway = await startLocalGateway(root);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ["--no-sandbox"] });
    // No JavaScript at all: the console must work without it.
    page = await browser.newPage({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
  const main = () => page.locator("main").innerText();

  it("signs in through the Access stand-in and lists the development tenants", async () => {
    await page.goto(gateway.consoleUrl);
    expect(new URL(page.url()).pathname, await page.content()).toBe("/cdn-cgi/access/login");
    await shot("1-sign-in");
    await page.fill('input[name="email"]', EMAIL);
    await page.click('button[type="submit"]');
    expect(await page.locator("header").innerText()).toContain(`Signed in as ${EMAIL}`);
    expect(await main()).toContain("TeleMessage development tenant");
    await shot("2-tenants");
  });

  it("approves a tenant, which the tenants list then shows", async () => {
    await page.click("text=Approve a tenant");
    await page.fill('input[name="tenantId"]', TENANT);
    await page.fill('input[name="accountId"]', "TM-BROWSER-1");
    await page.fill('input[name="name"]', CUSTOMER);
    await page.fill('textarea[name="managers"]', "Ann Manager\nBob Boss");
    await page.fill('input[name="callingCodes"]', "44");
    await page.fill('input[name="reason"]', "signed contract");
    await shot("3-approve");
    await page.click('button:has-text("Approve")');
    expect(new URL(page.url()).pathname, await main()).toBe(`/tenants/${TENANT}`);
    expect(await main()).toContain("Approved: the tenant is on the allow-list.");

    await page.goto(`${gateway.consoleUrl}?q=${encodeURIComponent("TM-BROWSER-1")}`);
    const list = await main();
    expect(list).toContain("1 of");
    expect(list).toContain(CUSTOMER);
    expect(list).toContain(TENANT);
  });

  it("renames a manager, and the history shows who changed what and why", async () => {
    await page.click(`text=${CUSTOMER}`);
    await page.fill('input[aria-label="New name of Bob Boss"]', "Bob Chief");
    await page.locator("form", { has: page.locator('input[aria-label="New name of Bob Boss"]') }).locator('button:has-text("Rename")').click();
    const text = await main();
    expect(text).toContain("Saved.");
    expect(await page.inputValue('input[aria-label="Tenant URL of Bob Chief"]'), text).toContain("/scim/v2/");
    const history = await page.locator("h2:has-text('History') + table").innerText();
    const rows = await page.locator("h2:has-text('History') + table tbody tr").allInnerTexts();
    expect(rows[0], history).toMatch(/^2\t/);
    expect(rows[0], history).toContain(EMAIL);
    expect(rows[0], history).toContain("Bob Chief");
    expect(rows.at(-1), history).toContain("signed contract");
    await shot("4-tenant-after-rename");
  });

  it("shows a refusal Entra got for a national number, masked, with its fix", async () => {
    const token = await signDevToken({ jwk: devSigningKey, tenantId: TENANT });
    const response = await fetch(`${gateway.scimOrigin}/scim/v2/Users`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
      body: JSON.stringify({
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName: "07700900123",
        externalId: "07700900123",
        active: true,
        displayName: "Ann Manager",
        emails: [{ value: "pat@customer.example", type: "work", primary: true }],
      }),
    });
    const answer = await response.text();
    expect(response.status, answer).toBe(400);

    // Recorded off the hot path (waitUntil); a new tenant's first request is flushed at once.
    let refusals = "";
    for (let attempt = 0; attempt < 20 && !refusals.includes("400"); attempt++) {
      await page.goto(`${gateway.consoleUrl}tenants/${TENANT}`);
      refusals = await page.locator("h2:has-text('Recent refusals') + *").innerText();
      if (!refusals.includes("400")) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(refusals, answer).toContain("400");
    expect(refusals).not.toContain("7700900123");
    expect(refusals).not.toContain("pat@customer.example");
    await page.locator("h2:has-text('Recent refusals')").scrollIntoViewIfNeeded();
    await shot("5-tenant-refusal");
  });

  it("issues a secret token shown once, and a form without the CSRF token is refused", async () => {
    await page.click('button:has-text("Issue a token")');
    const token = await page.locator(".token code").innerText();
    expect(token, await main()).toMatch(new RegExp(`^tm1\\.${TENANT}\\.`));
    await shot("6-token-shown-once");
    await page.click("text=Back to the tenant");
    expect(await main()).toContain("A secret token is issued.");
    expect(await page.content()).not.toContain(token);

    // The same form, posted from elsewhere without the page's CSRF token: refused, nothing changed.
    const forged = await page.request.post(`${gateway.consoleUrl}tenants/${TENANT}/disable`, { form: { version: "9" }, maxRedirects: 0 });
    expect(forged.status(), await forged.text()).toBe(403);
    await page.goto(`${gateway.consoleUrl}tenants/${TENANT}`);
    expect(await page.locator("h1").innerText()).toContain("enabled");
  });
});
