// The one page that ever shows a secret token: right after it is issued. Only its SHA-256 is kept, so it
// cannot be shown again; the page is never cached (the app sends Cache-Control: no-store on every answer).
import { html } from "hono/html";
import type { ChangeResult } from "../tenants/commands.ts";
import { page, type Frame, type Html } from "./layout.ts";

export function tokenPage(frame: Frame, result: ChangeResult): Html {
  const secretOnly = result.record?.authMode === "secret-token";
  return page(
    frame,
    html`<h1>Secret token issued</h1>
<p class="notice">Shown only now: TeleMessage keeps only its SHA-256. Give it to the customer's Entra admin for the app's
Provisioning › Admin Credentials › Secret Token field, over a channel fit for a password.</p>
<p class="token"><code>${result.token ?? ""}</code></p>
<p>${
      secretOnly
        ? "The tenant now accepts only this token: its Entra app gets 401 until the admin has pasted it."
        : "Entra's own signed tokens are still accepted. Once the admin has pasted this token and Test Connection succeeds, issue it again with auth mode secret-token, or switch with npm run tenants -- update --auth secret-token."
    }</p>
<p><a href="/tenants/${result.tenantId}">Back to the tenant</a> (the token is not shown there)</p>`,
  );
}
