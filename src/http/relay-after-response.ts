// The Hono side of the outbox relay: a write's events go to the queue after the response is on its way,
// within the request's lifetime (waitUntil). The relay itself (outbox/relay.ts) takes plain arguments and
// knows nothing of Hono.
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import type { NewChangeEventRow } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import { sendEvents } from "../outbox/relay.ts";
import { shardOf } from "../tenants/shard.ts";

/** The events of the request's tenant, from its shard's outbox; each log line names the request. */
export function relayAfterResponse(c: Context<AppEnv>, deps: Deps, events: NewChangeEventRow[]): void {
  const requestId = c.get("requestId");
  const tenant = c.get("tenant");
  const db = deps.database(c.env, tenant);
  const send = sendEvents(db, shardOf(tenant.record), c.env.CHANGES, events, { now: deps.now, log: (fields) => deps.log({ ...fields, requestId }) });
  c.executionCtx.waitUntil(send);
}
