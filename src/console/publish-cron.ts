// The cron's allow-list step: every recorded change not yet known to be in KV is published again (a put that
// failed, or a CLI or console request that stopped between recording and publishing). One log line when
// there was anything to do, at warn level while some still fail.
import type { Deps } from "../deps.ts";
import { executeOnD1 } from "../db/d1-execute.ts";
import { createSqlLedger } from "../db/tenant-ledger.ts";
import { createKvBindingStore } from "../tenants/kv-binding-store.ts";
import { publishPending, type PublishReport } from "../tenants/publish.ts";

export async function publishPendingTenants(env: Pick<Env, "DB" | "TENANTS">, deps: Pick<Deps, "now" | "log" | "controlPlane">): Promise<PublishReport> {
  const ledger = createSqlLedger(executeOnD1(deps.controlPlane(env).$client));
  const report = await publishPending({ ledger, store: createKvBindingStore(env.TENANTS), now: deps.now });
  if (report.published || report.failed) deps.log({ level: report.failed ? "warn" : "info", msg: "allow-list publish", ...report });
  return report;
}
