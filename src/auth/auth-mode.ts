// Which kind of bearer token a tenant's record lets it call with (its `authMode`). Pure.
//
// Entra's provisioning tokens carry an audience shared by every non-gallery app, so a third-party SCIM app
// in an approved tenant receives tokens this gateway would accept; a tenant whose security team wants only
// TeleMessage's own credential sets "secret-token". A record without a mode keeps the behaviour it was
// approved under: Entra's tokens, and the secret token once one is issued. Records with a token issued for
// the SCIM Validator while Entra still sends its own JWT must not start failing: a 401 is a credential
// failure, and Entra may quarantine the customer's job for it.
import type { AuthMode } from "../tenants/record.ts";

export type TokenKind = "entra-token" | "secret-token";

export function authModeAllows(mode: AuthMode | undefined, kind: TokenKind): boolean {
  return mode === undefined || mode === "both" || mode === kind;
}
