// The one place errors become responses. A ScimError is the wire format already; Hono's own 4xx (e.g. a
// malformed body seen by its validator) is translated; anything else is a generic 500 whose log line
// carries the request id and the error's class, never its message (which may quote user data or SQL).
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../app-env.ts";
import type { Deps } from "../deps.ts";
import { ScimError, invalidSyntax, notFound } from "../scim/scim-error.ts";
import { SCIM_CONTENT_TYPE } from "../scim/uris.ts";

export function scimErrorResponse(c: Context<AppEnv>, error: ScimError): Response {
  if (error.scimType) c.set("scimType", error.scimType);
  c.set("refusal", { detail: error.detail, reason: error.reason });
  const storageError = (error as { storageError?: string }).storageError;
  if (storageError) c.set("storageError", storageError);
  // Through the context, so headers set by middleware (X-Request-Id) are kept.
  return c.body(JSON.stringify(error.toJSON()), error.status as ContentfulStatusCode, {
    "Content-Type": SCIM_CONTENT_TYPE,
    ...error.headers,
  });
}

/** The app's onError, logging through the Worker's log. */
export const errorRenderer =
  (deps: Pick<Deps, "log">) =>
  (error: unknown, c: Context<AppEnv>): Response => {
    if (error instanceof ScimError) return scimErrorResponse(c, error);
    if (error instanceof HTTPException && error.status < 500) {
      const translated =
        error.status === 400 ? invalidSyntax("The request body is not valid JSON.") : new ScimError(error.status, undefined, "The request was refused.");
      return scimErrorResponse(c, translated);
    }
    deps.log({ level: "error", msg: "unhandled error", requestId: c.get("requestId"), error: error instanceof Error ? error.name : typeof error });
    return scimErrorResponse(
      c,
      new ScimError(500, undefined, `Internal error. Quote request id ${c.get("requestId")} to TeleMessage support.`),
    );
  };

export const renderNotFound = (c: Context<AppEnv>): Response =>
  scimErrorResponse(c, notFound("No such endpoint. The SCIM base URL is https://<host>/scim/v2 and users live at /scim/v2/Users."));
