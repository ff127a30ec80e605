// The gateway with parts switched off, for the profiler's what-if runs (test/bench/profile.ts): each
// variant answers "how much faster would the gateway be without X", measured on the same workerd and
// storage as the real code. Never deployed; the bench's own numbers come from the real bundle.
//   no-log        console.log does nothing (the request log's JSON line)
//   no-ratelimit  the rate-limit binding answers success without being called
//   hono-floor    a bare Hono app answers an empty ListResponse: the framework's own cost, no gateway code
//   bare-floor    the Worker answers the same body with no framework at all (as the baseline does)
import { Hono } from "hono";
import gateway from "../../src/index.ts";
import { listResponse } from "../../src/scim/user-resource.ts";

const realLog = console.log;
const allowAll = { limit: async () => ({ success: true }) } as unknown as RateLimit;
let variants = new Set<string>();

const EMPTY_LIST = listResponse([], 0, 1);
const honoFloor = new Hono().get("/scim/v2/Users", (c) => c.json(EMPTY_LIST));

export default {
  fetch(request, env, ctx) {
    if (request.url.includes("/__bench/variant")) {
      variants = new Set(new URL(request.url).searchParams.getAll("v"));
      console.log = variants.has("no-log") ? () => {} : realLog;
      return new Response([...variants].join(",") || "real");
    }
    if (variants.has("hono-floor")) return honoFloor.fetch(request, env, ctx);
    if (variants.has("bare-floor")) return Response.json(EMPTY_LIST);
    const adjusted = variants.has("no-ratelimit") ? { ...env, TENANT_RATE_LIMIT_LEASES: allowAll } : env;
    return gateway.fetch(request, adjusted, ctx);
  },
} satisfies ExportedHandler<Env>;
