// Request bodies: SCIM clients send application/scim+json (RFC 7644 §3.1), some send application/json;
// anything else is refused before parsing, a body that is not JSON is `invalidSyntax`, and so is one nested
// deeper than MAX_JSON_DEPTH, before anything walks, measures or serialises it (src/scim/json-depth.ts).
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import { invalidSyntax, unsupportedMediaType } from "../scim/scim-error.ts";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../scim/json-depth.ts";

const ACCEPTED = /^application\/(scim\+)?json$/i;
const TOO_DEEP = `The request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep; a SCIM User or PatchOp needs fewer than 10.`;

export const requireScimJson = createMiddleware<AppEnv>(async (c, next) => {
  const mediaType = (c.req.header("content-type") ?? "").split(";")[0]?.trim() ?? "";
  if (!ACCEPTED.test(mediaType)) {
    throw unsupportedMediaType("Send the body as application/scim+json (or application/json).");
  }
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch (error) {
    // A parser may give up on extreme nesting with a RangeError: the same refusal as below.
    throw invalidSyntax(error instanceof RangeError ? TOO_DEEP : "The request body is not valid JSON.");
  }
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) throw invalidSyntax(TOO_DEEP);
  // Parsed once here; handlers read c.get("body") (the use cases validate it with the User/PatchOp schemas).
  c.set("body", body);
  await next();
});
