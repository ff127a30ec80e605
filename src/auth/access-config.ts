// Where the account managers' console answers, and which Cloudflare Access tokens it accepts (wrangler.toml
// [vars], issue 14 §3): CONSOLE_HOST (the console's own hostname, never the SCIM host), ACCESS_TEAM_DOMAIN
// (<team>.cloudflareaccess.com, whose certs sign the tokens) and ACCESS_AUD (the audience tag of the console's
// Access application). Any of them empty or malformed: the console is off and answers 404, so an environment
// without Access configured has no console at all. ACCESS_DEV_JWKS (the development Access key) is read in
// local development only, like TRUSTED_DEV_JWKS (trust-config.ts), and `npm run deploy` refuses it elsewhere.
import * as z from "zod";
import { isLocalDevelopment } from "../environment.ts";

export type AccessVars = {
  CONSOLE_HOST?: string;
  ACCESS_TEAM_DOMAIN?: string;
  ACCESS_AUD?: string;
  ACCESS_DEV_JWKS?: string;
  ENVIRONMENT?: string;
};

export type ConsoleConfig =
  | { on: false; host: string | undefined }
  | {
      on: true;
      /** host[:port], lower case, as in a request URL. */
      host: string;
      teamDomain: string;
      audience: string;
      /** The development Access key; always undefined outside local development. */
      devJwks: { keys: JsonWebKey[] } | undefined;
      /** Stable identity of the configuration, for module-scope caches. */
      configId: string;
    };

const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;
const TEAM_DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;
/** Access audience tags are 64 hex digits; anything without spaces of a sane length is accepted. */
const AUDIENCE = /^[A-Za-z0-9._:-]{8,256}$/;
const Jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) });

const byEnv = new WeakMap<object, ConsoleConfig>();

export function readConsoleConfig(env: AccessVars): ConsoleConfig {
  const known = byEnv.get(env);
  if (known) return known;
  const config = configOf(env);
  byEnv.set(env, config);
  return config;
}

function configOf(env: AccessVars): ConsoleConfig {
  const host = env.CONSOLE_HOST?.trim().toLowerCase() || undefined;
  const teamDomain = env.ACCESS_TEAM_DOMAIN?.trim().toLowerCase() ?? "";
  const audience = env.ACCESS_AUD?.trim() ?? "";
  if (!host || !HOST.test(host) || !TEAM_DOMAIN.test(teamDomain) || !AUDIENCE.test(audience)) return { on: false, host };
  const devText = isLocalDevelopment(env.ENVIRONMENT) ? (env.ACCESS_DEV_JWKS?.trim() ?? "") : "";
  let devJwks: { keys: JsonWebKey[] } | undefined;
  if (devText) {
    try {
      devJwks = Jwks.parse(JSON.parse(devText)) as unknown as { keys: JsonWebKey[] };
    } catch {
      // A development key that does not parse trusts nothing; the team's certs still work.
      devJwks = undefined;
    }
  }
  return { on: true, host, teamDomain, audience, devJwks, configId: `${host}\u0000${teamDomain}\u0000${audience}\u0000${devText}` };
}

/** Whether a request is for the console: its URL's host is CONSOLE_HOST (set, whether Access is or not). */
export const isConsoleRequest = (url: string, config: ConsoleConfig): boolean => config.host !== undefined && new URL(url).host === config.host;
