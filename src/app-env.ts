import type { TenantRecord } from "./tenants/record.ts";
import type { ChangeType } from "./core-event.ts";
import type { ScimError } from "./scim/scim-error.ts";
import type { WriteNotes } from "./users/manager-rules.ts";
import type { Tenant } from "./users/tenant.ts";

/** Flags the request log records about a request's users and managers (users/manager-rules.ts). */
export type LogNotes = WriteNotes & {
  /** The shared /scim/v2 URL, used by a tenant with several active managers (http/manager-url.ts). */
  sharedUrlMultiManager?: true;
};

/**
 * Hono's typing of the app: Worker bindings and per-request variables set by middleware. Read variables with
 * c.get(name): Hono's c.var copies every variable into a new object on each access.
 */
export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    /** The JSON request body, parsed once by requireScimJson. */
    body: unknown;
    tenant: Tenant;
    /** The tenant a token named, set before the allow-list decides; for the log. */
    tenantId: string;
    /** The allow-list record of that tenant, once read (set for a disabled tenant too): where its rows live. */
    tenantRecord: TenantRecord;
    /** Set by the tenant middleware on a refusal; logged, never returned. */
    authFailure: string;
    /** Set by onError; logged with the request. */
    scimType: string;
    /** Set when the tenant's rate limit refused the request; logged. */
    rateLimited: boolean;
    /** The rate-limit binding failed, so the request went through unlimited (tenant-rate-limit.ts). */
    rateLimiterUnavailable: boolean;
    /** Set by onError for storage failures: the SQLite error class only, never its message. */
    storageError: string;
    /** Set by a write: the user it touched and the change event it recorded; logged, for tracing. */
    userId: string;
    eventId: string;
    /** Set by a write that recorded an event: what it did (the activity tells a disable from an update). */
    changeType: ChangeType;
    /** Set by onError for a ScimError: the detail sent, and our reason for it; kept with the activity. */
    refusal: { detail: string; reason: ScimError["reason"] };
    /** What the write and the manager URL noted (LogNotes); spread into the log line. */
    notes: LogNotes;
    /** Set by a write that left attributes out to stay within the stored size cap; their names are logged. */
    droppedAttributes: string[];
  };
};

/** Hono's typing of the account managers' console (src/console/): the bindings, and what its middleware sets. */
export type ConsoleEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    /** Who Cloudflare Access says is asking: an e-mail, or "service token <name>". Set only once verified. */
    identity: string;
    /** Why the Access token was refused; logged, never shown. */
    accessFailure: string;
    /** The CSRF token of this browser (csrf.ts), for the forms a page renders. */
    csrfToken: string;
  };
};
