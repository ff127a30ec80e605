// npm run token -- --tenant <GUID>: prints a bearer token signed with the committed development key, for
// calling a locally running gateway (which trusts that key through TRUSTED_DEV_JWKS). Only the token goes
// to stdout, so `TOKEN=$(npm run -s token -- --tenant <GUID>)` works; everything else goes to stderr.
import { parseCommandLine, usageError } from "../command-line.ts";
import devSigningKey from "./dev-signing-key.json" with { type: "json" };
import { MAX_TOKEN_LIFETIME_SECONDS } from "../../auth/entra-token.ts";
import { DEFAULT_EXPIRES_IN_SECONDS, NON_GALLERY_AUDIENCE, signDevToken } from "./dev-token.ts";
import { GUID_PATTERN } from "../../tenants/record.ts";

const USAGE = `usage: npm run -s token -- --tenant <Entra tenant GUID> [--expires-in <seconds>] [--audience <aud>]
  --tenant      the tenant id the token claims (tid, iss)
  --expires-in  lifetime in seconds (default ${DEFAULT_EXPIRES_IN_SECONDS}, at most ${MAX_TOKEN_LIFETIME_SECONDS}: the gateway refuses longer-lived tokens)
  --audience    the aud claim (default ${NON_GALLERY_AUDIENCE})`;

const usage = (message: string): never => usageError("token", USAGE, message);

const values = parseCommandLine("token", USAGE, {
  tenant: { type: "string" },
  "expires-in": { type: "string" },
  audience: { type: "string" },
});

const tenant = values.tenant?.trim() || usage("--tenant is required");
if (!GUID_PATTERN.test(tenant)) usage(`--tenant must be a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47`);

const expiresIn = values["expires-in"] ?? String(DEFAULT_EXPIRES_IN_SECONDS);
if (!/^[1-9][0-9]*$/.test(expiresIn)) usage("--expires-in must be a whole number of seconds greater than 0");
if (Number(expiresIn) > MAX_TOKEN_LIFETIME_SECONDS) usage(`--expires-in must be at most ${MAX_TOKEN_LIFETIME_SECONDS} (24 h): the gateway refuses longer-lived tokens`);

const audience = values.audience ?? NON_GALLERY_AUDIENCE;
if (audience.trim() === "") usage("--audience cannot be empty");

const token = await signDevToken({
  jwk: devSigningKey,
  tenantId: tenant,
  expiresInSeconds: Number(expiresIn),
  audience,
});
process.stdout.write(`${token}\n`);
