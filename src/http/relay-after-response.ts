// The Hono side of the outbox relay: a write's events go to the queue after the response is on its way,
// within the request's lifetime (waitUntil). The relay itself (outbox/relay.ts) takes plain arguments and
// knows nothing of Hono.
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { openDb } from "../db/client.ts";
import type { NewChangeEventRow } from "../db/schema.ts";
import { logJson, sendEvents } from "../outbox/relay.ts";

export function relayAfterResponse(c: Context<AppEnv>, events: NewChangeEventRow[]): void {
  const requestId = c.get("requestId");
  c.executionCtx.waitUntil(
    sendEvents(openDb(c.env.DB), c.env.CHANGES, events, () => new Date(), (fields) => logJson({ ...fields, requestId })),
  );
}
