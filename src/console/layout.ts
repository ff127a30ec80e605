// The console's page frame: one server-rendered HTML document per answer, no script at all (every page
// works without JavaScript), styles inline so the Content-Security-Policy can forbid everything else.
// Interpolated values are escaped by hono/html; only templates built here are inserted raw.
import { html } from "hono/html";

export type Html = ReturnType<typeof html>;

/** What every page's header shows: who is signed in (Access), and where they are. */
export type Frame = { title: string; identity?: string; environment?: string };

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#1d2430;color:#fff;padding:.6rem 1.5rem;display:flex;gap:1.5rem;align-items:baseline}
header a{color:#fff;text-decoration:none;font-weight:600}header .who{margin-left:auto;opacity:.8}header .pill{color:#1d2430}
main{padding:1rem 1.5rem;max-width:78rem}
h1{font-size:1.4rem;margin:.4rem 0 1rem}h2{font-size:1.1rem;margin:1.6rem 0 .5rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #e2e5ea;vertical-align:top}
th{font-size:.8rem;text-transform:uppercase;color:#5b6472}
code,input.copy{font:13px ui-monospace,monospace}input.copy{width:100%;min-width:28rem;border:1px solid #cfd4db;padding:.2rem .3rem;background:#fbfbfc}
.bad{color:#a11}.warn{color:#8a5a00}.ok{color:#17692c}.muted{color:#5b6472}
.pill{display:inline-block;padding:0 .45rem;border-radius:.6rem;font-size:.8rem;background:#e2e5ea}
.pill.bad{background:#fbe3e3}.pill.ok{background:#dcf2e1}.pill.warn{background:#fdf0d5}
form.inline{display:inline}fieldset{border:1px solid #d8dce2;background:#fff;margin:0 0 1rem;padding:.6rem 1rem}
label{display:block;margin:.35rem 0}label span{display:inline-block;min-width:11rem}
input[type=text],textarea,select{font:inherit;padding:.2rem .3rem}textarea{width:30rem;height:4.5rem}
button{font:inherit;padding:.2rem .8rem;cursor:pointer}
.notice{background:#dcf2e1;border:1px solid #9bd3aa;padding:.5rem 1rem;margin-bottom:1rem}
.error{background:#fbe3e3;border:1px solid #e4a0a0;padding:.5rem 1rem;margin-bottom:1rem}
.token{font:15px ui-monospace,monospace;background:#fff;border:2px solid #1d2430;padding:.6rem;word-break:break-all}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(22rem,1fr));gap:1rem}
svg text{font:11px system-ui,sans-serif;fill:#5b6472}
`;

export function page(frame: Frame, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${frame.title} · TeleMessage provisioning</title>
<style>${STYLE}</style>
</head>
<body>
<header><a href="/">TeleMessage provisioning</a><a href="/tenants/new">Approve a tenant</a>${
    frame.environment ? html`<span class="pill">${frame.environment}</span>` : ""
  }<span class="who">${frame.identity ? html`Signed in as ${frame.identity}` : ""}</span></header>
<main>
${body}
</main>
</body>
</html>`;
}

/** The hidden fields every form carries: the CSRF token, and the version the person is looking at. */
export const formGuard = (csrfToken: string, version?: number): Html =>
  html`<input type="hidden" name="csrf" value="${csrfToken}">${version === undefined ? "" : html`<input type="hidden" name="version" value="${version}">`}`;

export const reasonField = (): Html => html`<label><span>Reason (optional)</span><input type="text" name="reason" maxlength="500" size="40"></label>`;
