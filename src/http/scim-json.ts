// Request bodies: SCIM clients send application/scim+json (RFC 7644 §3.1), some send application/json;
// anything else is refused before parsing, and a body that is not JSON is `invalidSyntax`.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import { invalidSyntax, unsupportedMediaType } from "../scim/errors.ts";

const ACCEPTED = /^application\/(scim\+)?json$/i;

export const requireScimJson = createMiddleware<AppEnv>(async (c, next) => {
  const mediaType = (c.req.header("content-type") ?? "").split(";")[0]?.trim() ?? "";
  if (!ACCEPTED.test(mediaType)) {
    throw unsupportedMediaType("Send the body as application/scim+json (or application/json).");
  }
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    throw invalidSyntax("The request body is not valid JSON.");
  }
  // Parsed once here; handlers read c.get("body") (the use cases validate it with the User/PatchOp schemas).
  c.set("body", body);
  await next();
});
