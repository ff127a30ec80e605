// The one error type of the gateway, and it is the wire format (RFC 7644 §3.12). Anything thrown that is
// not a ScimError becomes a generic 500 in app.ts; a ScimError is rendered exactly as built here, so a
// `detail` must never contain a phone number, an e-mail, a token, SQL or a driver message.

export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

/** RFC 7644 §3.12 Table 9, plus the codes we use for limits. */
export type ScimType =
  | "invalidFilter"
  | "tooMany"
  | "uniqueness"
  | "mutability"
  | "invalidSyntax"
  | "invalidPath"
  | "noTarget"
  | "invalidValue"
  | "invalidVers"
  | "sensitive";

export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;
  readonly detail: string;
  /** Extra response headers (WWW-Authenticate on 401, Retry-After on 429/503). */
  readonly headers: Record<string, string>;
  /**
   * Our own code for a refusal ("unknown_manager"), and what the request sent that it is about (the
   * displayName): kept, masked, with the tenant's activity for the doctor (issue 14 §2); never on the wire.
   */
  reason?: { code: string; sent?: string };

  constructor(status: number, scimType: ScimType | undefined, detail: string, headers: Record<string, string> = {}) {
    super(detail);
    this.name = "ScimError";
    this.status = status;
    this.scimType = scimType;
    this.detail = detail;
    this.headers = headers;
  }

  toJSON(): Record<string, unknown> {
    return {
      schemas: [ERROR_SCHEMA],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.detail,
    };
  }
}

/** `error`, noting why it was refused (ScimError.reason). */
export function because<E extends ScimError>(error: E, code: string, sent?: string): E {
  error.reason = sent === undefined ? { code } : { code, sent };
  return error;
}

export const invalidSyntax = (detail: string) => new ScimError(400, "invalidSyntax", detail);
export const invalidValue = (detail: string) => new ScimError(400, "invalidValue", detail);
export const invalidFilter = (detail: string) => new ScimError(400, "invalidFilter", detail);
export const invalidPath = (detail: string) => new ScimError(400, "invalidPath", detail);
export const noTarget = (detail: string) => new ScimError(400, "noTarget", detail);
export const mutability = (detail: string) => new ScimError(400, "mutability", detail);
export const tooMany = (detail: string) => new ScimError(400, "tooMany", detail);
export const uniqueness = (detail: string) => new ScimError(409, "uniqueness", detail);
export const notFound = (detail: string) => new ScimError(404, undefined, detail);
export const methodNotAllowed = (detail: string, allow: string) => new ScimError(405, undefined, detail, { Allow: allow });
export const notImplemented = (detail: string) => new ScimError(501, undefined, detail);
export const payloadTooLarge = (detail: string) => new ScimError(413, undefined, detail);
export const unsupportedMediaType = (detail: string) => new ScimError(415, undefined, detail);
export const preconditionFailed = (detail: string) => new ScimError(412, undefined, detail);
export const forbidden = (detail: string) => new ScimError(403, undefined, detail);

/** One generic 401 for every token failure; the precise reason goes to the log only (no oracle). */
export const unauthorized = () =>
  new ScimError(401, undefined, "The bearer token is missing, malformed, expired or not signed by a trusted issuer.", {
    "WWW-Authenticate": 'Bearer realm="scim"',
  });

/** Storage or dependency trouble: Entra retries 5xx later, so say when. */
export const unavailable = (detail: string, retryAfterSeconds = 30) =>
  new ScimError(503, undefined, detail, { "Retry-After": String(retryAfterSeconds) });
