// The answer to a write of a tenant whose users are moving between shards (issue 15 §3, src/db/fence-store.ts):
// our own maintenance, so 503 with Retry-After (Entra retries the operation later), never a 4xx Entra would
// act on. By the time it retries, the move has finished or the Worker reads the new record.
import { unavailable } from "../scim/scim-error.ts";

/** Seconds Entra is asked to wait: KV propagation of the moved record plus the Worker's cache of it. */
export const MOVING_RETRY_AFTER_SECONDS = 60;

export const tenantMoving = () =>
  unavailable("This tenant's users are being moved to another database; Entra ID retries automatically, and the retry succeeds once the move is done.", MOVING_RETRY_AFTER_SECONDS);
