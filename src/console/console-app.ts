// The account managers' web console (issue 14 §3): served by the same Worker, on its own hostname only
// (CONSOLE_HOST; worker.ts sends nothing else here, and nothing of the console answers on the SCIM host),
// behind Cloudflare Access, whose token every request must carry (auth/require-access.ts). Server-rendered
// HTML, no script; every form is a plain POST protected against CSRF (csrf.ts), read into the commands'
// inputs (forms.ts) and run through the very commands the CLI runs (tenants/commands.ts), so the rules, the
// audit trail and the conflict check are the same. Handlers are thin: read, call one command, render.
import { Hono, type Context } from "hono";
import { requestId } from "hono/request-id";
import { html } from "hono/html";
import { HTTPException } from "hono/http-exception";
import type { ConsoleEnv } from "../app-env.ts";
import { requireAccess, type RequireAccessOptions } from "../auth/require-access.ts";
import type { Deps } from "../deps.ts";
import { TenantCommandError, addTenant, disableTenant, enableTenant, issueToken, revokeToken, updateTenant, type ChangeResult, type TenantCommandDeps, type WriteOptions } from "../tenants/commands.ts";
import { consoleData, type ConsoleData } from "./console-data.ts";
import { csrfProtection, type CsrfOptions } from "./csrf.ts";
import { FormError, readApproveForm, readManagerForm, readRecordForm, readTokenForm, writeOptions, type FormBody } from "./forms.ts";
import { page, type Frame, type Html } from "./layout.ts";
import { tenantPage, type PageState } from "./tenant-view.ts";
import { approvePage, matchesSearch, STATUS_FILTERS, statusOf, tenantsPage, type StatusFilter } from "./tenants-view.ts";
import { tokenPage } from "./token-view.ts";

export type ConsoleOptions = { access?: RequireAccessOptions; csrf?: CsrfOptions };

/** What the page says after a change, by the command's action (never text taken from the request). */
const DONE: Record<string, string> = {
  added: "Approved: the tenant is on the allow-list.",
  updated: "Saved.",
  disabled: "Disabled: its calls now answer 403.",
  enabled: "Enabled.",
  "token-revoked": "The secret token is revoked.",
  unchanged: "Nothing to change: the tenant is already like that.",
};

export function createConsoleApp(deps: Deps, options: ConsoleOptions = {}) {
  const app = new Hono<ConsoleEnv>({ strict: false });
  const data = consoleData(deps);

  app.use(requestId({ headerName: "" }), async (c, next) => {
    const started = deps.now().getTime();
    await next();
    c.header("X-Request-Id", c.get("requestId"));
    // No script, no frames, no foreign anything; styles are inline in the page itself.
    c.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    c.header("X-Frame-Options", "DENY");
    c.header("Referrer-Policy", "no-referrer");
    c.header("Cache-Control", "no-store");
    const status = c.res.status;
    deps.log({
      level: status >= 500 ? "error" : status >= 400 ? "warn" : "info",
      msg: "console",
      requestId: c.get("requestId"),
      method: c.req.method,
      path: new URL(c.req.url).pathname.replace(/[0-9a-f-]{36}/gi, ":tenant"),
      status,
      durationMs: deps.now().getTime() - started,
      accessFailure: c.get("accessFailure"),
    });
  });
  app.use(requireAccess(deps, options.access));
  app.use(...csrfProtection(options.csrf));

  const frame = (c: Context<ConsoleEnv>, title: string): Frame => ({ title, identity: c.get("identity"), environment: c.env.ENVIRONMENT });
  const render = (c: Context<ConsoleEnv>, body: Html, status: 200 | 400 | 404 | 409 = 200) => c.html(body, status);

  app.get("/", async (c) => {
    const query = c.req.query("q") ?? "";
    const status = STATUS_FILTERS.find((s) => s === c.req.query("status")) ?? "all";
    const rows = await data.tenantRows(c.env);
    const shown = rows.filter(({ tenant }) => matchesSearch(tenant, query) && (status === "all" || statusOf(tenant) === (status as StatusFilter)));
    return render(c, tenantsPage(frame(c, "Tenants"), shown, query, status, rows.length));
  });

  app.get("/tenants/new", (c) => render(c, approvePage(frame(c, "Approve a tenant"), c.get("csrfToken"))));

  app.post("/tenants", async (c) => {
    const body = (await c.req.parseBody()) as FormBody;
    try {
      const form = readApproveForm(body);
      const result = await addTenant(data.commands(c.env, c.get("identity")), form.tenantId, form.input, form.options);
      return c.redirect(`/tenants/${result.tenantId}?done=${result.action}`, 303);
    } catch (error) {
      const message = refusal(error);
      const values = { tenantId: field(body, "tenantId"), accountId: field(body, "accountId"), name: field(body, "name"), managers: field(body, "managers"), callingCodes: field(body, "callingCodes") };
      return render(c, approvePage(frame(c, "Approve a tenant"), c.get("csrfToken"), values, message), statusOf4xx(error));
    }
  });

  app.get("/tenants/:tenant", async (c) => {
    const done = c.req.query("done");
    return tenantResponse(c, { ...(done && DONE[done] ? { notice: DONE[done] } : {}) });
  });

  /** The tenant's page, or the console's 404 for a tenant that is not listed (or not a GUID). */
  async function tenantResponse(c: Context<ConsoleEnv>, state: PageState, status: 200 | 400 | 409 = 200) {
    let loaded: Awaited<ReturnType<ConsoleData["tenantPage"]>>;
    try {
      loaded = await data.tenantPage(c.env, c.req.param("tenant") ?? "");
    } catch (error) {
      if (error instanceof TenantCommandError && (error.code === "not_found" || error.code === "invalid")) return notFound(c);
      throw error;
    }
    if (!loaded) return render(c, page(frame(c, "Unreadable record"), html`<h1>Unreadable record</h1><p class="error">The stored record cannot be read by the gateway, so the tenant is refused. Replace it with <code>npm run tenants -- add --force</code>.</p>`), 400);
    return render(c, tenantPage(frame(c, loaded.tenant.record.name), c.get("csrfToken"), loaded, state), status);
  }

  /** One change form: run the command, then back to the tenant's page, or the page again with the refusal. */
  const change = (run: (deps: TenantCommandDeps, tenantId: string, body: FormBody, options: WriteOptions) => Promise<ChangeResult>) => async (c: Context<ConsoleEnv>) => {
    const tenantId = c.req.param("tenant") ?? "";
    const body = (await c.req.parseBody()) as FormBody;
    try {
      const result = await run(data.commands(c.env, c.get("identity"), tenantId), tenantId, body, writeOptions(body));
      if (result.token) return c.html(tokenPage(frame(c, "Secret token"), result));
      return c.redirect(`/tenants/${result.tenantId}?done=${result.action}`, 303);
    } catch (error) {
      if (error instanceof TenantCommandError && error.code === "not_found") return notFound(c);
      return tenantResponse(c, { error: refusal(error) }, statusOf4xx(error));
    }
  };

  app.post("/tenants/:tenant/record", change((deps, id, body, options) => updateTenant(deps, id, readRecordForm(body), options)));
  app.post("/tenants/:tenant/managers", change((deps, id, body, options) => updateTenant(deps, id, readManagerForm(body), options)));
  app.post("/tenants/:tenant/disable", change((deps, id, _body, options) => disableTenant(deps, id, options)));
  app.post("/tenants/:tenant/enable", change((deps, id, _body, options) => enableTenant(deps, id, options)));
  app.post("/tenants/:tenant/token", change((deps, id, body, options) => issueToken(deps, id, { ...options, ...readTokenForm(body) })));
  app.post("/tenants/:tenant/token/revoke", change((deps, id, _body, options) => revokeToken(deps, id, options)));

  const notFound = (c: Context<ConsoleEnv>) => render(c, page(frame(c, "Not found"), html`<h1>Not found</h1><p>No such page or tenant. <a href="/">All tenants</a></p>`), 404);
  app.notFound(notFound);
  app.onError((error, c) => {
    // hono/csrf refuses a cross-site form with an HTTPException(403).
    if (error instanceof HTTPException && error.status < 500) {
      return c.text("Forbidden: this form did not come from the console's own pages.", error.status);
    }
    deps.log({ level: "error", msg: "console error", requestId: c.get("requestId"), error: error instanceof Error ? error.name : typeof error });
    return c.html(page({ title: "Error" }, html`<h1>Something went wrong</h1><p>Quote request id <code>${c.get("requestId")}</code> to operations.</p>`), 500);
  });
  return app;
}

/** The message a refused form shows: the command's own (the same words as the CLI's), or the form's. */
function refusal(error: unknown): string {
  if (error instanceof TenantCommandError || error instanceof FormError) return error.message;
  throw error;
}

const statusOf4xx = (error: unknown): 400 | 409 => (error instanceof TenantCommandError && (error.code === "conflict" || error.code === "exists" || error.code === "token_exists") ? 409 : 400);

const field = (body: FormBody, name: string): string => (typeof body[name] === "string" ? (body[name] as string) : "");

