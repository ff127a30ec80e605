// Which Entra tokens the gateway trusts: the audiences a token may carry (ENTRA_AUDIENCES) and the extra
// signing keys trusted for every tenant (TRUSTED_DEV_JWKS, read in local development only). wrangler.toml
// [vars], parsed once per distinct value (isolates reuse env objects, and parsing JSON per request would be
// waste).
import * as z from "zod";
import { isLocalDevelopment } from "../environment.ts";
import { NON_GALLERY_AUDIENCE } from "./entra-token.ts";

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

export type TrustConfig = {
  audiences: readonly string[];
  /** The development keys of TRUSTED_DEV_JWKS; always undefined outside local development. */
  trustedJwks: { keys: JsonWebKey[] } | undefined;
  /** Stable identity of the key configuration, for module-scope caches. */
  keyConfigId: string;
};

let cached: { raw: string; config: TrustConfig } | undefined;
/** By env object first: the runtime hands an isolate's requests the same env, so no string work per request. */
const byEnv = new WeakMap<object, TrustConfig>();

type TrustVars = Pick<Env, "ENTRA_AUDIENCES" | "TRUSTED_DEV_JWKS"> & { ENVIRONMENT?: string };

export function readTrustConfig(env: TrustVars): TrustConfig {
  const known = byEnv.get(env);
  if (known) return known;
  const config = configOf(env);
  byEnv.set(env, config);
  return config;
}

function configOf(env: TrustVars): TrustConfig {
  // Outside local development the development keys are not even read: a staging or production Worker
  // trusts Microsoft's keys only, whatever TRUSTED_DEV_JWKS holds (and `npm run deploy` refuses to deploy
  // one that is not empty).
  const devJwks = isLocalDevelopment(env.ENVIRONMENT) ? (env.TRUSTED_DEV_JWKS ?? "") : "";
  const raw = `${env.ENTRA_AUDIENCES ?? ""}\u0000${devJwks}`;
  if (cached?.raw === raw) return cached.config;
  const vars = Vars.parse({ ENTRA_AUDIENCES: env.ENTRA_AUDIENCES, TRUSTED_DEV_JWKS: devJwks });
  const config: TrustConfig = { audiences: vars.ENTRA_AUDIENCES, trustedJwks: vars.TRUSTED_DEV_JWKS, keyConfigId: raw };
  cached = { raw, config };
  return config;
}
