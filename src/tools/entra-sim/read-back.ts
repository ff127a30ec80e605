// The end of a simulated provisioning job, shared by the one-app and the one-app-per-manager runs: read
// every user of the tenant back from the gateway and compare each with what the directory intends, then
// (given the core emulator) wait for the core to hold the same. Mismatches name users by directory index
// and attributes by name, never by value: they hold personal data.
import { compareCoreUsers, type GatewayHeld } from "./core-check.ts";
import type { Slot } from "./directory.ts";
import { listRequest, type SimRequest } from "./entra-shapes.ts";
import type { ScimResult, SimDeps } from "./scim-client.ts";
import { mismatchedAttributes } from "./user-diff.ts";

/** Largest page the gateway serves (README: count max 500). */
const PAGE_SIZE = 500;
const CORE_POLL_MS = 500;

export type ReadBack = { held: Map<number, GatewayHeld>; unmanaged: number };

/** Reads every user of the tenant back, page by page, and compares each with the directory's final state. */
export async function readBack(
  send: (request: SimRequest) => Promise<ScimResult | undefined>,
  final: readonly Slot[],
  ids: ReadonlyMap<number, string>,
  mismatches: string[],
): Promise<ReadBack> {
  const byMobile = new Map<string, Record<string, unknown>>();
  for (let startIndex = 1; ; startIndex += PAGE_SIZE) {
    const page = await send(listRequest(startIndex, PAGE_SIZE));
    const resources: Record<string, unknown>[] = page?.body?.Resources ?? [];
    for (const r of resources) byMobile.set(String(r.userName).replace(/\D/g, ""), r);
    if (!page || resources.length === 0 || startIndex + resources.length > Number(page.body?.totalResults ?? 0)) break;
  }
  const held = new Map<number, GatewayHeld>();
  for (const slot of final) {
    const who = `user #${slot.index}`;
    const resource = byMobile.get(slot.user.mobile);
    byMobile.delete(slot.user.mobile);
    if (!slot.inScope) {
      if (resource) mismatches.push(`${who}: deleted, but the gateway still has it`);
      continue;
    }
    if (!resource) {
      mismatches.push(`${who}: missing at the gateway`);
      continue;
    }
    const wrong = mismatchedAttributes(resource, slot.user);
    if (wrong.length) mismatches.push(`${who}: ${wrong.join(", ")} differ at the gateway`);
    const known = ids.get(slot.index);
    if (known && known !== resource.id) mismatches.push(`${who}: the gateway's id changed`);
    const version = /^W\/"(\d+)"$/.exec(String((resource.meta as { version?: unknown } | undefined)?.version ?? ""))?.[1];
    held.set(slot.index, { id: String(resource.id), version: Number(version ?? 0) });
  }
  return { held, unmanaged: byMobile.size };
}

/** Polls the core until it agrees or the wait is over: forwarding is asynchronous (queue, retries). */
export async function checkCore(
  url: string,
  tenantId: string,
  final: readonly Slot[],
  held: ReadonlyMap<number, GatewayHeld>,
  waitMs: number,
  deps: SimDeps,
): Promise<{ url: string; mismatches: string[]; waitedMs: number }> {
  const log = deps.log ?? (() => {});
  const waitStarted = deps.now();
  const deadline = waitStarted + waitMs;
  let problems: string[];
  for (;;) {
    try {
      const res = await deps.fetch(`${url.replace(/\/+$/, "")}/users?tenantId=${encodeURIComponent(tenantId)}`);
      problems = res.ok ? compareCoreUsers(await res.json(), final, held) : [`the core emulator answered ${res.status} to GET /users`];
    } catch (error) {
      problems = [`the core emulator at ${url} is unreachable (${error instanceof Error ? error.message : String(error)})`];
    }
    if (problems.length === 0 || deps.now() >= deadline) break;
    await deps.sleep(CORE_POLL_MS);
  }
  const waitedMs = Math.round(deps.now() - waitStarted);
  log(`core: ${problems.length ? `${problems.length} mismatches after ${waitedMs} ms` : `agrees (after ${waitedMs} ms)`}`);
  return { url, mismatches: problems, waitedMs };
}
