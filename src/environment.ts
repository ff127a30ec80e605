// What the deployment says it is: wrangler.toml's ENVIRONMENT var, "development" at the top level (npm
// start, npm test) and the environment's own name in [env.staging] and [env.production]. Only local
// development relaxes anything: the development signing key (auth/trust-config.ts) and an http CORE_URL
// (outbox/forwarding-config.ts); `npm run deploy` refuses an environment that calls itself development. A
// missing or unknown name counts as deployed, so a forgotten var fails safe.

export const LOCAL_DEVELOPMENT = "development";

export const isLocalDevelopment = (environment: string | undefined): boolean => environment?.trim() === LOCAL_DEVELOPMENT;
