// Typed configuration: wrangler.toml [vars] parsed once per distinct value (isolates reuse env objects,
// and parsing JSON per request would be waste). Secrets arrive the same way (wrangler secret / .dev.vars).
import { z } from "zod";

import { NON_GALLERY_AUDIENCE } from "./auth/entra-token.ts";

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
  trustedJwks: { keys: JsonWebKey[] } | undefined;
  /** Stable identity of the key configuration, for module-scope caches. */
  keyConfigId: string;
};

let cached: { raw: string; config: Config } | undefined;
/** By env object first: the runtime hands an isolate's requests the same env, so no string work per request. */
const byEnv = new WeakMap<object, Config>();

export function readConfig(env: Pick<Env, "ENTRA_AUDIENCES" | "TRUSTED_DEV_JWKS">): Config {
  const known = byEnv.get(env);
  if (known) return known;
  const config = configOf(env);
  byEnv.set(env, config);
  return config;
}

function configOf(env: Pick<Env, "ENTRA_AUDIENCES" | "TRUSTED_DEV_JWKS">): Config {
  const raw = `${env.ENTRA_AUDIENCES ?? ""}\u0000${env.TRUSTED_DEV_JWKS ?? ""}`;
  if (cached?.raw === raw) return cached.config;
  const vars = Vars.parse({ ENTRA_AUDIENCES: env.ENTRA_AUDIENCES, TRUSTED_DEV_JWKS: env.TRUSTED_DEV_JWKS });
  const config: Config = { audiences: vars.ENTRA_AUDIENCES, trustedJwks: vars.TRUSTED_DEV_JWKS, keyConfigId: raw };
  cached = { raw, config };
  return config;
}
