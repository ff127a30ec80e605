// Worker entry: fetch (the SCIM endpoint), queue (forwarding to the TeleMessage core) and scheduled (the
// outbox cron), built from the runtime's own fetch, clock, randomness, ids, sleep and console (src/deps.ts).
// The built-ins are frozen first, before any other module runs (src/freeze-builtins.ts).
import "./freeze-builtins.ts";
import { createWorker, runtimeInputs } from "./worker.ts";

export default createWorker(runtimeInputs());
