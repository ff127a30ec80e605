// The largest request body the gateway reads: 413 before anything parses a larger one.
import { bodyLimit } from "hono/body-limit";
import { payloadTooLarge } from "../scim/scim-error.ts";

/** Largest request body accepted; Entra's largest user bodies are a few KiB. */
export const MAX_BODY_BYTES = 64 * 1024;

export const limitBodySize = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw payloadTooLarge(`The request body is larger than ${MAX_BODY_BYTES / 1024} KiB.`);
  },
});
