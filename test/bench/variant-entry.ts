// The gateway with parts switched off, for the profiler's what-if runs (test/bench/profile.ts): each
// variant answers "how much faster would the gateway be without X", measured on the same workerd and
// storage as the real code. Never deployed; the bench's own numbers come from the real bundle.
//   no-log        console.log does nothing (the request log's JSON line)
//   no-ratelimit  the rate-limit binding answers success without being called
import gateway from "../../src/index.ts";

const realLog = console.log;
const allowAll = { limit: async () => ({ success: true }) } as unknown as RateLimit;
let variants = new Set<string>();

export default {
  fetch(request, env, ctx) {
    if (request.url.includes("/__bench/variant")) {
      variants = new Set(new URL(request.url).searchParams.getAll("v"));
      console.log = variants.has("no-log") ? () => {} : realLog;
      return new Response([...variants].join(",") || "real");
    }
    const adjusted = variants.has("no-ratelimit") ? { ...env, TENANT_RATE_LIMIT: allowAll } : env;
    return gateway.fetch(request, adjusted, ctx);
  },
} satisfies ExportedHandler<Env>;
