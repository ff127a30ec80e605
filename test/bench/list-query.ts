// Evidence for GET /Users paging at scale: three ways to get a page and the total, timed on the seeded D1
// (first page and a deep page; straight on the side's D1 binding, no Worker; median of a few), and the
// query plan of the window-count form. The gateway used the window count until the bench showed its cost;
// it now runs the count and the LIMIT/OFFSET page in one db.batch.
import { spread } from "./report.ts";
import type { Side } from "./workers.ts";

export type ListQueryEvidence = {
  plan: string[];
  /** Median ms per query variant and page position. */
  timings: { variant: string; first: number; deep: number }[];
  deepOffset: number;
};

const USER_COLUMNS =
  '"id", "tenant_id", "user_name", "mobile", "external_id", "active", "manager", "version", "last_event_id", "resource", "created_at", "updated_at"';
const COUNT = 'select count(*) from "users" where "users"."tenant_id" = ?';
const PAGE = `select ${USER_COLUMNS} from "users" where "users"."tenant_id" = ? order by "users"."id" asc limit ? offset ?`;
/** Keyset: the page after a known id (what a cursor or the previous page's last id gives). */
const AFTER = `select ${USER_COLUMNS} from "users" where "users"."tenant_id" = ? and "users"."id" > ? order by "users"."id" asc limit ?`;
const WINDOW_FIRST = `select ${USER_COLUMNS}, count(*) over () from "users" where "users"."tenant_id" = ? order by "users"."id" asc limit ?`;
const WINDOW_PAGE = `${WINDOW_FIRST} offset ?`;

async function time(run: () => Promise<unknown>, times = 5): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return spread(samples).median;
}

export async function listQueryEvidence(side: Side, tenantId: string, size: number, afterIdAt: (index: number) => string): Promise<ListQueryEvidence> {
  const db = side.db;
  const deepOffset = Math.floor(size * 0.9);
  const plan = (await db.prepare(`EXPLAIN QUERY PLAN ${WINDOW_PAGE}`).bind(tenantId, 100, deepOffset).all<{ detail: string }>()).results.map((r) => r.detail);
  const windowCount = (offset: number) => () =>
    (offset === 0 ? db.prepare(WINDOW_FIRST).bind(tenantId, 100) : db.prepare(WINDOW_PAGE).bind(tenantId, 100, offset)).raw();
  const countThenPage = (offset: number) => () => db.batch([db.prepare(COUNT).bind(tenantId), db.prepare(PAGE).bind(tenantId, 100, offset)]);
  const countThenKeyset = (offset: number) => () =>
    db.batch([db.prepare(COUNT).bind(tenantId), db.prepare(AFTER).bind(tenantId, offset === 0 ? "" : afterIdAt(offset - 1), 100)]);
  const timings = [];
  for (const [variant, query] of [
    ["one SELECT with count(*) over () (the gateway before)", windowCount],
    ["count(*) and LIMIT/OFFSET page in one db.batch (the gateway now)", countThenPage],
    ["count(*) and keyset page (id > last id) in one db.batch", countThenKeyset],
  ] as const) {
    timings.push({ variant, first: await time(query(0)), deep: await time(query(deepOffset)) });
  }
  return { plan, timings, deepOffset };
}
