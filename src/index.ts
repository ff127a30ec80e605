// Worker entry: fetch (the SCIM endpoint), queue (forwarding to the TeleMessage core) and scheduled (the
// outbox cron), wired to the runtime's own fetch, clock and randomness. The built-ins are frozen first,
// before any other module runs (src/freeze-builtins.ts).
import "./freeze-builtins.ts";
import { createWorker } from "./worker.ts";

export default createWorker({
  fetch: (input, init) => fetch(input, init),
  now: () => new Date(),
  random: Math.random,
});
