// `npm start`: the gateway on local D1/KV/Queue at http://localhost:8787/scim/v2. Applies the migrations,
// puts the development tenant on the local allow-list, prints how to call it, then runs `wrangler dev`.
import { spawn, spawnSync } from "node:child_process";
import { tenantKey } from "../tenants/record.ts";
import { DEV_TENANT_ID, DEV_TENANT_RECORD } from "./dev-tenant.ts";

const PORT = Number(process.env.PORT ?? 8787);
const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };

function wrangler(args: string[]): void {
  const result = spawnSync("wrangler", args, { stdio: ["ignore", "inherit", "inherit"], env });
  if (result.status !== 0) {
    console.error(`\nwrangler ${args.join(" ")} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}

wrangler(["d1", "migrations", "apply", "DB", "--local"]);
const record = { ...DEV_TENANT_RECORD, updatedAt: new Date().toISOString() };
wrangler(["kv", "key", "put", "--binding", "TENANTS", "--local", tenantKey(DEV_TENANT_ID), JSON.stringify(record)]);

const base = `http://localhost:${PORT}/scim/v2`;
console.log(`
TeleMessage provisioning gateway (local)
  SCIM base URL:        ${base}
  Development tenant:   ${DEV_TENANT_ID}  (manager "${DEV_TENANT_RECORD.managers?.[0]}")
  Mint a token:         npm run -s token -- --tenant ${DEV_TENANT_ID}
  Try it:               curl -H "Authorization: Bearer $(npm run -s token -- --tenant ${DEV_TENANT_ID})" '${base}/Users'
`);

const dev = spawn("wrangler", ["dev", "--port", String(PORT), "--ip", "127.0.0.1", ...process.argv.slice(2)], {
  stdio: "inherit",
  env,
});
const stop = (signal: NodeJS.Signals) => dev.kill(signal);
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
dev.on("exit", (code) => process.exit(code ?? 0));
