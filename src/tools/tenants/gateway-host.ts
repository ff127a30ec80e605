// Which host the Tenant URLs that `npm run tenants -- show` prints should name, when --host does not say:
// locally the gateway of `npm start`; for --remote --env <name>, the first route of that environment in
// wrangler.toml (production serves only its custom domain there). Staging answers at its workers.dev
// address, which depends on the Cloudflare account, so it has no default: pass --host.
import type { WranglerConfig } from "../deploy/plan.ts";
import type { WranglerTarget } from "../wrangler/run.ts";

export const LOCAL_GATEWAY = "http://localhost:8787";

export function defaultGatewayHost(target: WranglerTarget, config: WranglerConfig): string | undefined {
  if (!target.remote) return LOCAL_GATEWAY;
  const route = target.env ? config.env?.[target.env]?.routes?.[0] : undefined;
  const pattern = typeof route === "string" ? route : route?.pattern;
  const host = pattern?.split("/")[0]?.replace(/^\*\.?/, "");
  return host ? `https://${host}` : undefined;
}

/** --host as given ("scim.example.com" or "https://scim.example.com/"), as an origin; undefined if it is not one. */
export function parseGatewayHost(input: string): string | undefined {
  const text = /^https?:\/\//i.test(input.trim()) ? input.trim() : `https://${input.trim()}`;
  try {
    const url = new URL(text);
    return url.pathname === "/" && !url.search && !url.hash ? url.origin : undefined;
  } catch {
    return undefined;
  }
}
