// The environments a wrangler.toml declares, checked before any wrangler command runs (issue 14 §5): an
// --env that names none of them is a typing slip ("prod", "staging2") that wrangler would only report after
// a round trip, or (for a --config without environments) apply to the top level. And which of them is
// production, whose writes the CLIs confirm first: the environment named "production", or any whose
// ENVIRONMENT var says "production" (src/environment.ts). Pure: the parsed file comes in.
import { closestName } from "../../tenants/closest-name.ts";
import type { WranglerConfig } from "../deploy/plan.ts";

export type Environments = {
  /** The [env.*] names, in file order. */
  names: string[];
  isProduction: (env: string) => boolean;
};

export const PRODUCTION = "production";

export function environmentsOf(config: WranglerConfig): Environments {
  const envs = config.env ?? {};
  return {
    names: Object.keys(envs),
    isProduction: (env) => env === PRODUCTION || envs[env]?.vars?.ENVIRONMENT === PRODUCTION,
  };
}

/** Why `env` cannot be used with this configuration, with the likeliest meant name; undefined when it can. */
export function unknownEnvironment(env: string, environments: Environments): string | undefined {
  if (environments.names.includes(env)) return undefined;
  if (environments.names.length === 0) return `--env "${env}": this wrangler.toml declares no environments`;
  const meant = closestName(env, environments.names) ?? environments.names.find((name) => name.startsWith(env.toLowerCase()));
  return `--env "${env}" is not an environment of wrangler.toml (${environments.names.join(", ")})${meant ? `: did you mean --env ${meant}?` : ""}`;
}
