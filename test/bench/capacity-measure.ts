// `npm run capacity:measure [-- --users 100000] [-- --samples 2000]`: the capacity model's measured inputs
// (issue 15 §1), written to src/tools/capacity/measured.json, then docs/capacity.md rendered from them.
//
// A local D1 (Miniflare: SQLite inside workerd) with the real schema and indexes (every migration), a
// tenant of --users users bulk-loaded as copies of a stored Entra user, then the gateway's own use cases run
// in Node against it (createUser, patchUser, deleteUser, getUser, listUsers, the relay's markEnqueued, the
// consumer's reads and writes), each --samples times, through a binding that records what D1 reports per
// statement (metered-d1.ts):
//  - bytes: meta.size_after before and after each kind of write, divided by how many ran. A create adds a
//    user row and its event (with their index entries); a PATCH adds an event and rewrites the user in place;
//    a recorded delivery adds a cursor. Users are created with random ids, as the gateway creates them.
//  - time: meta.duration of each statement, D1's own SQL time, summed per request. Locally it is
//    performance.now() inside workerd, which advances in whole milliseconds: a statement reads 0 or 1 (or
//    more), and the mean over thousands, whose start times fall anywhere within a millisecond, is an unbiased
//    estimate of the true mean. These are LOCAL figures; the model sets them beside Cloudflare's own figure.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { openDb } from "../../src/db/client.ts";
import { findDeliveryState, recordDelivered } from "../../src/db/delivery-store.ts";
import { markEnqueued } from "../../src/db/event-store.ts";
import type { Deps } from "../../src/deps.ts";
import { parseUserResource } from "../../src/scim/user-schema.ts";
import { MAX_STORED_BYTES, capStoredResource } from "../../src/users/resource-cap.ts";
import { getUser, listUsers } from "../../src/users/read-users.ts";
import type { Tenant } from "../../src/users/tenant.ts";
import { normaliseEmails } from "../../src/users/work-email.ts";
import { createUser, deleteUser, patchUser } from "../../src/users/write-user.ts";
import { renderCapacityDoc } from "../../src/tools/capacity/doc.ts";
import { CAPACITY_DOC_PATH, MEASURED_PATH, type MeasuredInputs } from "../../src/tools/capacity/model.ts";
import { readPolicy } from "../../src/tools/capacity/policy.ts";
import { createBody } from "./cases.ts";
import { meteredD1, type StatementMeta } from "./metered-d1.ts";
import { migrationStatements } from "./migrations.ts";
import { benchTenantId, mobile, seedUsers } from "./seed.ts";
import { ROOT } from "./workers.ts";

const { values } = parseArgs({
  options: { users: { type: "string", default: "100000" }, samples: { type: "string", default: "2000" }, help: { type: "boolean", short: "h" } },
  strict: true,
});
if (values.help) {
  process.stdout.write("usage: npm run capacity:measure [-- --users 100000] [-- --samples 2000]\n");
  process.exit(0);
}
const USERS = Number(values.users);
const SAMPLES = Number(values.samples);
const log = (line: string) => console.error(`[capacity ${new Date().toISOString().slice(11, 19)}] ${line}`);

const TENANT_ID = benchTenantId(77);
const tenant: Tenant = { tenantId: TENANT_ID, record: { accountId: "TM-CAPACITY", name: "Capacity", managers: ["Ann Manager"], enabled: true } };
const SEEDED = 6;
const CREATED = 7;
const AT_CAP = 8;

/** Entra's multi-op PATCH (test/fixtures/entra/patch-multi-op.json), with a name that changes every time. */
const patchBody = (n: number) => ({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations: [
    { op: "Replace", path: "name.givenName", value: `Annie ${n}` },
    { op: "Replace", path: "title", value: "Counsel" },
  ],
});

/** A create whose stored resource is just under the 8 KiB cap: the largest user the gateway stores. */
const bodyAtCap = (number: string) => {
  const body = JSON.parse(createBody(number)) as Record<string, unknown>;
  const padding = MAX_STORED_BYTES - new TextEncoder().encode(JSON.stringify(capStoredResource(parseUserResource(normaliseEmails(body))).resource)).length - 64;
  return { ...body, nickName: "x".repeat(padding) };
};

async function main(): Promise<void> {
  const persist = mkdtempSync(join(tmpdir(), "tm-capacity-"));
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      cf: false,
      resourcePersistencePath: persist,
      workers: [{ name: "main", modules: true, script: "export default { fetch: () => new Response('') }", d1Databases: { DB: "capacity" } }],
    } as Parameters<typeof convertV4MiniflareOptions>[0]),
  );
  try {
    await mf.ready;
    const raw = await mf.getD1Database("DB", "main");
    await raw.batch(migrationStatements().map((sql) => raw.prepare(sql)));

    let current: StatementMeta[] = [];
    let size = 0;
    const d1 = meteredD1(raw as unknown as D1Database, (meta) => {
      current.push(meta);
      if (meta.sizeAfter) size = meta.sizeAfter;
    });
    const db = openDb(d1);
    const deps: Deps = {
      fetch: () => Promise.reject(new Error("no network here")),
      now: () => new Date(),
      random: Math.random,
      newId: () => crypto.randomUUID(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      log: () => {},
      database: () => db,
      shard: () => db,
      shards: () => ["DB"],
      controlPlane: () => db,
    };
    const env = {} as Env;

    await d1.prepare("SELECT 1").all();
    const emptySize = size;
    log(`seeding a tenant of ${USERS.toLocaleString("en-US")} users`);
    const template = capStoredResource(parseUserResource(normaliseEmails(JSON.parse(createBody(mobile(SEEDED, 0))) as unknown))).resource;
    await seedUsers(raw, { resource: template, manager: "Ann Manager", createdAt: new Date().toISOString() }, { tenantId: TENANT_ID, group: SEEDED, series: SEEDED, count: USERS });
    await d1.prepare("SELECT 1").all();
    const seededSize = size;

    /** Runs `request` n times; per request: D1 ms, statements; and the database's growth over all of them. */
    const measure = async (name: string, n: number, request: (i: number) => Promise<unknown>) => {
      const before = size;
      let ms = 0;
      let statements = 0;
      let rowsRead = 0;
      for (let i = 0; i < n; i++) {
        current = [];
        await request(i);
        ms += current.reduce((sum, s) => sum + s.ms, 0);
        rowsRead += current.reduce((sum, s) => sum + s.rowsRead, 0);
        statements += current.length;
      }
      const result = { d1Ms: ms / n, statements: statements / n, rowsRead: rowsRead / n, bytes: (size - before) / n };
      log(`${name}: ${result.d1Ms.toFixed(3)} D1 ms, ${result.statements} statements, ${result.rowsRead.toFixed(1)} rows read, ${result.bytes.toFixed(0)} bytes per request`);
      return result;
    };

    const created: { id: string; eventId: string; version: number }[] = [];
    const create = await measure("create", SAMPLES, async (i) => {
      const { user } = await createUser(deps, env, tenant, JSON.parse(createBody(mobile(CREATED, i))));
      created.push({ id: user.id, eventId: user.lastEventId, version: user.version });
    });
    const lookup = await measure("lookup (filter by userName, hit)", SAMPLES, (i) =>
      listUsers(deps, env, tenant, [{ attribute: "userName", value: mobile(SEEDED, (i * 7919) % USERS) }], { startIndex: 1, count: 100 }),
    );
    const probe = await measure("probe (filter by a GUID, no statement)", 50, () =>
      listUsers(deps, env, tenant, [{ attribute: "userName", value: crypto.randomUUID() }], { startIndex: 1, count: 100 }),
    );
    const get = await measure("get by id", SAMPLES, (i) => getUser(deps, env, tenant, (created[i % created.length] as { id: string }).id));
    const relay = await measure("relay (mark enqueued)", SAMPLES, (i) => markEnqueued(db, [(created[i] as { eventId: string }).eventId], new Date().toISOString()));
    const delivery = await measure("delivery (consumer read + record)", SAMPLES, async (i) => {
      const event = created[i] as { id: string; eventId: string; version: number };
      await findDeliveryState(db, event.eventId);
      await recordDelivered(db, { eventId: event.eventId, tenantId: TENANT_ID, userId: event.id, version: event.version }, 200, new Date().toISOString());
    });
    const patch = await measure("patch (Entra's multi-op)", SAMPLES, (i) => patchUser(deps, env, tenant, (created[i] as { id: string }).id, patchBody(i)));
    const disable = await measure('patch active "False"', SAMPLES, (i) =>
      patchUser(deps, env, tenant, (created[i] as { id: string }).id, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "Replace", path: "active", value: "False" }] }),
    );
    const remove = await measure("delete", SAMPLES, (i) => deleteUser(deps, env, tenant, (created[i] as { id: string }).id));
    const atCap = await measure("create at the 8 KiB cap", Math.min(SAMPLES, 1000), (i) => createUser(deps, env, tenant, bodyAtCap(mobile(AT_CAP, i))));

    const round = (n: number, digits = 3) => Number(n.toFixed(digits));
    const bytesPerEvent = patch.bytes;
    const inputs: MeasuredInputs = {
      command: `npm run capacity:measure${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
      date: new Date().toISOString(),
      machine: `${cpus().length} × ${cpus()[0]?.model ?? "unknown"}, Node ${process.version}`,
      where: "local D1 (Miniflare: SQLite inside workerd), the schema of every migration in migrations/",
      seededUsers: USERS,
      samples: SAMPLES,
      seededBytesPerUser: round((seededSize - emptySize) / USERS, 0),
      bytes: {
        userWithCreateEvent: round(create.bytes, 0),
        event: round(bytesPerEvent, 0),
        user: round(create.bytes - bytesPerEvent, 0),
        userAtCap: round(atCap.bytes - bytesPerEvent, 0),
        cursor: round(delivery.bytes, 0),
      },
      requests: Object.fromEntries(
        Object.entries({ probe, lookup, get, create, patch, disable, delete: remove, relay, delivery }).map(([k, v]) => [
          k,
          { d1Ms: round(v.d1Ms), statements: round(v.statements, 2), rowsRead: round(v.rowsRead, 1) },
        ]),
      ) as MeasuredInputs["requests"],
    };
    writeFileSync(join(ROOT, MEASURED_PATH), `${JSON.stringify(inputs, null, 2)}\n`);
    writeFileSync(join(ROOT, CAPACITY_DOC_PATH), renderCapacityDoc(inputs, readPolicy()));
    log(`wrote ${MEASURED_PATH} and ${CAPACITY_DOC_PATH}`);
  } finally {
    await mf.dispose();
    rmSync(persist, { recursive: true, force: true });
  }
}

await main();
