// What a change queue message carries: the change event's body for the core (src/core-event.ts), plus the
// shard its outbox row lives in (issue 15 §2), so the consumer records the delivery in that database
// without reading the tenant's allow-list record. The shard rides beside the event's fields: the consumer
// parses the event with the contract's schema, which drops fields it does not describe, so the core never
// sees it. A message queued before shards existed has no shard: its event lives in the first database.
import { DEFAULT_SHARD, isShardName, type ShardName } from "../tenants/shard.ts";

export type QueueBody = Record<string, unknown> & { shard?: ShardName };

/** The body the relay and the cron send for an event of `shard`. */
export const queueBody = (payload: object, shard: ShardName): QueueBody => ({ ...payload, shard });

/**
 * The shard a message names: DB when it names none (queued before shards existed), undefined when what it
 * names is not a shard name at all (a message this gateway did not write).
 */
export function shardOfMessage(body: unknown): ShardName | undefined {
  if (typeof body !== "object" || body === null || !Object.hasOwn(body, "shard")) return DEFAULT_SHARD;
  const shard = (body as { shard?: unknown }).shard;
  return isShardName(shard) ? shard : undefined;
}
