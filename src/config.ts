// Typed configuration: wrangler.toml [vars] parsed once per distinct value (isolates reuse env objects,
// and parsing JSON per request would be waste). Secrets arrive the same way (wrangler secret / .dev.vars).
import { z } from "zod";

import { NON_GALLERY_AUDIENCE } from "./auth/entra-token.ts";

/**
 * What the deployment says it is (wrangler.toml's ENVIRONMENT var): "development" at the top level, the
 * environment's own name in [env.staging] and [env.production]. Only local development relaxes anything
 * (the development signing key, an http CORE_URL); a missing or unknown name counts as deployed, so a
 * forgotten var fails safe.
 */
export const LOCAL_DEVELOPMENT = "development";
export const isLocalDevelopment = (environment: string | undefined): boolean => environment?.trim() === LOCAL_DEVELOPMENT;

/**
 * Why CORE_URL cannot be used in this environment, or undefined when it can. Change events carry users'
 * phone numbers and e-mail addresses, and the request carries the core's bearer token: outside local
 * development they travel over https only.
 */
export function coreUrlProblem(value: string | undefined, environment: string | undefined): string | undefined {
  if (!value?.trim()) return "CORE_URL is not set";
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return "CORE_URL is not a URL";
  }
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:") {
    return isLocalDevelopment(environment) ? undefined : "CORE_URL must be https: outside local development";
  }
  return "CORE_URL is not an http(s) URL";
}

/** Largest request body accepted; Entra's largest user bodies are a few KiB. */
export const MAX_BODY_BYTES = 64 * 1024;

const Jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });

const Vars = z.object({
  ENTRA_AUDIENCES: z
    .string()
    .default(NON_GALLERY_AUDIENCE)
    .transform((s) =>
      s
        .split(",")
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string()).min(1, "ENTRA_AUDIENCES must name at least one audience")),
  TRUSTED_DEV_JWKS: z
    .string()
    .default("")
    .transform((s, ctx) => {
      if (!s.trim()) return undefined;
      try {
        return Jwks.parse(JSON.parse(s)) as unknown as { keys: JsonWebKey[] };
      } catch {
        ctx.addIssue({ code: "custom", message: "TRUSTED_DEV_JWKS must be a JSON Web Key Set or empty" });
        return z.NEVER;
      }
    }),
});

export type Config = {
  audiences: readonly string[];
  /** The development keys of TRUSTED_DEV_JWKS; always undefined outside local development. */
  trustedJwks: { keys: JsonWebKey[] } | undefined;
  /** Stable identity of the key configuration, for module-scope caches. */
  keyConfigId: string;
};

let cached: { raw: string; config: Config } | undefined;
/** By env object first: the runtime hands an isolate's requests the same env, so no string work per request. */
const byEnv = new WeakMap<object, Config>();

type ConfigVars = Pick<Env, "ENTRA_AUDIENCES" | "TRUSTED_DEV_JWKS"> & { ENVIRONMENT?: string };

export function readConfig(env: ConfigVars): Config {
  const known = byEnv.get(env);
  if (known) return known;
  const config = configOf(env);
  byEnv.set(env, config);
  return config;
}

function configOf(env: ConfigVars): Config {
  // Outside local development the development keys are not even read: a staging or production Worker
  // trusts Microsoft's keys only, whatever TRUSTED_DEV_JWKS holds (and `npm run deploy` refuses to deploy
  // one that is not empty).
  const devJwks = isLocalDevelopment(env.ENVIRONMENT) ? (env.TRUSTED_DEV_JWKS ?? "") : "";
  const raw = `${env.ENTRA_AUDIENCES ?? ""}\u0000${devJwks}`;
  if (cached?.raw === raw) return cached.config;
  const vars = Vars.parse({ ENTRA_AUDIENCES: env.ENTRA_AUDIENCES, TRUSTED_DEV_JWKS: devJwks });
  const config: Config = { audiences: vars.ENTRA_AUDIENCES, trustedJwks: vars.TRUSTED_DEV_JWKS, keyConfigId: raw };
  cached = { raw, config };
  return config;
}
