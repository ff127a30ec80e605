// The seeded world both sides share: the same tenants (allow-listed in KV), the same users (copied from
// one user created through the gateway's real POST), and per side the headers that address a tenant (an
// Entra-shaped token for the gateway, a plain tenant header for the baseline).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { JWK } from "jose";
import { signDevToken } from "../../src/tools/dev/dev-token.ts";
import { createBody, type World } from "./cases.ts";
import { migrationStatements } from "./migrations.ts";
import { benchTenantId, DELETE_POOL_SERIES, mobile, readTemplate, seedUsers, SEEDED_SERIES, type UserTemplate } from "./seed.ts";
import { ROOT, type Side } from "./workers.ts";

export const TENANT = { template: 1, main: 2, small: 3, e2e: 4, ten: (k: number) => 10 + k } as const;
const ALL_TENANTS = [TENANT.template, TENANT.main, TENANT.small, TENANT.e2e, ...Array.from({ length: 10 }, (_, k) => TENANT.ten(k))];
const TENANT_RECORD = JSON.stringify({ accountId: "TM-BENCH", name: "Bench tenant", managers: ["Ann Manager"], enabled: true });

export type Sizes = { main: number; small: number; ten: number };

/** Development tokens (what `npm run token` mints, Entra's claims) for every bench tenant. */
export async function tenantTokens(): Promise<Map<string, string>> {
  const jwk = JSON.parse(readFileSync(join(ROOT, "src/tools/dev/dev-signing-key.json"), "utf8")) as JWK;
  const tokens = new Map<string, string>();
  for (const n of ALL_TENANTS) tokens.set(benchTenantId(n), await signDevToken({ jwk, tenantId: benchTenantId(n), expiresInSeconds: 4 * 3600 }));
  return tokens;
}

/** The schema and the allow-list on one side. */
export async function prepareStorage(side: Side): Promise<void> {
  await side.db.batch(migrationStatements().map((sql) => side.db.prepare(sql)));
  for (const n of ALL_TENANTS) await side.kv.put(`tenant:${benchTenantId(n)}`, TENANT_RECORD);
}

const bodyHeaders = (body: boolean): Record<string, string> => (body ? { "content-type": "application/scim+json" } : {});

export function gatewayWorld(tokens: Map<string, string>, sizes: Sizes): World {
  return makeWorld("gateway", (tenantId, body) => ({ authorization: `Bearer ${tokens.get(tenantId)}`, ...bodyHeaders(body) }), sizes);
}

export function baselineWorld(sizes: Sizes): World {
  return makeWorld("baseline", (tenantId, body) => ({ "x-bench-tenant": tenantId, ...bodyHeaders(body) }), sizes);
}

function makeWorld(kind: World["kind"], headers: World["headers"], sizes: Sizes): World {
  return {
    kind,
    headers,
    main: { id: benchTenantId(TENANT.main), group: TENANT.main, size: sizes.main },
    small: { id: benchTenantId(TENANT.small), group: TENANT.small, size: sizes.small },
    ten: Array.from({ length: 10 }, (_, k) => ({ id: benchTenantId(TENANT.ten(k)), group: TENANT.ten(k), size: sizes.ten })),
    counters: {},
    deletePool: { group: 0, next: 0, end: 0 },
  };
}

/** One user created through the gateway's real POST: every seeded row copies its stored shape. */
export async function templateUser(side: Side, token: string): Promise<UserTemplate> {
  const response = await fetch(new URL("/scim/v2/Users", side.url), {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
    body: createBody(mobile(SEEDED_SERIES, 0)),
  });
  const created = (await response.json()) as { id?: string };
  if (response.status !== 201 || !created.id) throw new Error(`the template POST answered ${response.status}: ${JSON.stringify(created)}`);
  return readTemplate(side.db, created.id);
}

/** Seeds every tenant of a world; returns the milliseconds it took. */
export async function seedWorld(side: Side, world: World, template: UserTemplate): Promise<number> {
  const started = performance.now();
  for (const tenant of [world.main, world.small, ...world.ten]) {
    await seedUsers(side.db, template, { tenantId: tenant.id, group: tenant.group, series: SEEDED_SERIES, count: tenant.size });
  }
  return performance.now() - started;
}

/** Users for DELETE, seeded before each run that deletes (outside the measured time), never reused. */
export class DeletePools {
  #group = 1000;
  #offset = 0;
  readonly #template: UserTemplate;
  constructor(template: UserTemplate) {
    this.#template = template;
  }
  async refill(side: Side, world: World, count: number): Promise<void> {
    const group = this.#group++;
    await seedUsers(side.db, this.#template, { tenantId: world.main.id, group, series: DELETE_POOL_SERIES, from: this.#offset, count });
    world.deletePool = { group, next: this.#offset, end: this.#offset + count };
    this.#offset += count;
  }
}
