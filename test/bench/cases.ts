// The bench's cases: what Entra sends during provisioning, as request generators. Both sides get the same
// paths and bodies; the gateway's requests carry Entra-shaped bearer tokens, the baseline's only a tenant
// header. Bodies come from the Entra fixtures in test/fixtures/entra, so the bench sends what tests replay.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchRequest } from "./load.ts";
import { CREATED_SERIES, mobile, SEEDED_SERIES, userId } from "./seed.ts";
import { ROOT } from "./workers.ts";

export type SeededTenant = { id: string; group: number; size: number };

/** One side's view of the seeded world, and its persistent counters (requests never repeat a write). */
export type World = {
  kind: "gateway" | "baseline";
  headers: (tenantId: string, body: boolean) => Record<string, string>;
  main: SeededTenant;
  small: SeededTenant;
  ten: SeededTenant[];
  counters: Record<string, number>;
  /** Users seeded for DELETE and not yet deleted: group and index range. */
  deletePool: { group: number; next: number; end: number };
};

export type Case = {
  id: string;
  title: string;
  /** Throughput cases are held to the 0.8x budget; scale cases compare latencies. */
  kind: "throughput" | "scale";
  connections: number;
  /** At most this many requests, instead of a duration (DELETE needs one seeded user per request). */
  amount?: number;
  expect: number[];
  next: (world: World) => () => BenchRequest;
};

type Fixture = { steps: { request: { body?: unknown } }[] };
const fixtureBody = (name: string, step: number): Record<string, unknown> => {
  const fixture = JSON.parse(readFileSync(join(ROOT, "test/fixtures/entra", `${name}.json`), "utf8")) as Fixture;
  const body = fixture.steps[step]?.request.body;
  if (typeof body !== "object" || body === null) throw new Error(`fixture ${name} has no body at step ${step}`);
  return body as Record<string, unknown>;
};

/** Entra's create body (aadOptscim062020 shape), with a given number. */
const ENTRA_CREATE = fixtureBody("create-aadoptscim062020", 1);
export const createBody = (number: string): string => JSON.stringify({ ...ENTRA_CREATE, userName: number, externalId: number });

/** Entra's multi-op PATCH; givenName varies per request so that every request really writes. */
const ENTRA_MULTI_OP = fixtureBody("patch-multi-op", 1) as { Operations: { path?: string; value?: unknown }[] };
const multiOpBody = (n: number): string =>
  JSON.stringify({
    ...ENTRA_MULTI_OP,
    Operations: ENTRA_MULTI_OP.Operations.map((op) => (op.path === "name.givenName" ? { ...op, value: `Annie ${n}` } : op)),
  });

/** Entra's disable, with the string "False" (and its re-enable, "True", on the next pass over the users). */
const ENTRA_DISABLE = fixtureBody("disable-reenable", 1) as { Operations: { value?: unknown }[] };
const activeBody = (value: "False" | "True"): string =>
  JSON.stringify({ ...ENTRA_DISABLE, Operations: ENTRA_DISABLE.Operations.map((op) => ({ ...op, value })) });

/** Spreads consecutive requests over a tenant's users (7919 is prime, so every user is visited). */
const spread = (n: number, size: number) => (n * 7919) % size;

const counter = (world: World, name: string) => () => {
  const n = world.counters[name] ?? 0;
  world.counters[name] = n + 1;
  return n;
};

const filterPath = (value: string) => `/scim/v2/Users?filter=userName+eq+%22${value}%22`;

const filterHit = (tenants: (w: World) => SeededTenant[], name: string) => (w: World) => {
  const next = counter(w, name);
  return () => {
    const n = next();
    const list = tenants(w);
    const tenant = list[n % list.length] as SeededTenant;
    return { method: "GET", path: filterPath(mobile(SEEDED_SERIES, spread(n, tenant.size))), headers: w.headers(tenant.id, false) };
  };
};

export function benchCases(sizes: { deleteAmount: number; deepStartIndex: number; main: number; small: number; ten: number }): Case[] {
  const thousands = (n: number) => n.toLocaleString("en-US");
  const THROUGHPUT_CONNECTIONS = 8;
  return [
    {
      id: "probe",
      title: "Test Connection probe (GUID filter, miss)",
      kind: "throughput",
      connections: THROUGHPUT_CONNECTIONS,
      expect: [200],
      next: (w) => () => ({ method: "GET", path: filterPath(crypto.randomUUID()), headers: w.headers(w.main.id, false) }),
    },
    {
      id: "filter",
      title: "matching filter (hit)",
      kind: "throughput",
      connections: THROUGHPUT_CONNECTIONS,
      expect: [200],
      next: filterHit((w) => [w.main], "filter"),
    },
    {
      id: "get",
      title: "GET /Users/{id}",
      kind: "throughput",
      connections: THROUGHPUT_CONNECTIONS,
      expect: [200],
      next: (w) => {
        const next = counter(w, "get");
        return () => ({ method: "GET", path: `/scim/v2/Users/${userId(w.main.group, spread(next(), w.main.size))}`, headers: w.headers(w.main.id, false) });
      },
    },
    {
      id: "create",
      title: "POST /Users (create)",
      kind: "throughput",
      connections: THROUGHPUT_CONNECTIONS,
      expect: [201],
      next: (w) => {
        const next = counter(w, "create");
        return () => ({ method: "POST", path: "/scim/v2/Users", headers: w.headers(w.main.id, true), body: createBody(mobile(CREATED_SERIES, next())) });
      },
    },
    {
      id: "patch",
      title: "PATCH, Entra's multi-op body",
      kind: "throughput",
      connections: THROUGHPUT_CONNECTIONS,
      expect: [200],
      next: (w) => {
        const next = counter(w, "patch");
        return () => {
          const n = next();
          return { method: "PATCH", path: `/scim/v2/Users/${userId(w.main.group, spread(n, w.main.size))}`, headers: w.headers(w.main.id, true), body: multiOpBody(n) };
        };
      },
    },
    {
      id: "disable",
      title: 'PATCH active "False" (disable)',
      kind: "throughput",
      connections: THROUGHPUT_CONNECTIONS,
      expect: [200],
      next: (w) => {
        const next = counter(w, "disable");
        return () => {
          // Users in order: the first pass disables each, the next re-enables it, so no request is a no-op.
          const n = next();
          const value = Math.floor(n / w.main.size) % 2 === 0 ? "False" : "True";
          return { method: "PATCH", path: `/scim/v2/Users/${userId(w.main.group, n % w.main.size)}`, headers: w.headers(w.main.id, true), body: activeBody(value) };
        };
      },
    },
    {
      id: "delete",
      title: "DELETE /Users/{id}",
      kind: "throughput",
      connections: THROUGHPUT_CONNECTIONS,
      amount: sizes.deleteAmount,
      expect: [204],
      next: (w) => () => {
        const pool = w.deletePool;
        if (pool.next >= pool.end) throw new Error("the DELETE pool ran out; seed more users before the run");
        return { method: "DELETE", path: `/scim/v2/Users/${userId(pool.group, pool.next++)}`, headers: w.headers(w.main.id, false) };
      },
    },
    {
      id: "list",
      title: `GET /Users first page, tenant of ${thousands(sizes.main)}`,
      kind: "throughput",
      connections: 1,
      expect: [200],
      next: (w) => () => ({ method: "GET", path: "/scim/v2/Users", headers: w.headers(w.main.id, false) }),
    },
    {
      id: "list-deep",
      title: `GET /Users?startIndex=${sizes.deepStartIndex}`,
      kind: "scale",
      connections: 1,
      expect: [200],
      next: (w) => () => ({ method: "GET", path: `/scim/v2/Users?startIndex=${sizes.deepStartIndex}`, headers: w.headers(w.main.id, false) }),
    },
    {
      id: "filter-small",
      title: `matching filter, tenant of ${thousands(sizes.small)} (1 conn.)`,
      kind: "scale",
      connections: 1,
      expect: [200],
      next: filterHit((w) => [w.small], "filter-small"),
    },
    {
      id: "filter-large",
      title: `matching filter, tenant of ${thousands(sizes.main)} (1 conn.)`,
      kind: "scale",
      connections: 1,
      expect: [200],
      next: filterHit((w) => [w.main], "filter-large"),
    },
    {
      id: "filter-ten",
      title: `matching filter, 10 tenants of ${thousands(sizes.ten)} (1 conn.)`,
      kind: "scale",
      connections: 1,
      expect: [200],
      next: filterHit((w) => w.ten, "filter-ten"),
    },
  ];
}

