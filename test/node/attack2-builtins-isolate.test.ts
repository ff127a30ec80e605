// A hostile tenant against the PATCH name rules after H5/H6 (src/scim/patch-names.ts, src/freeze-builtins.ts,
// commit 83ffe2d), in an isolate of its own: the real bundle (`wrangler deploy --dry-run`) on workerd
// through Miniflare's API, as `npm run bench` runs it, because the attack changes the isolate for good and
// the workers project shares one isolate between all its test files (test/vitest.config.ts, isolate: false).
//
// The hole: a PATCH "remove" whose path is the enterprise extension's URN is turned, in src/scim/user-patch.ts
// wholeSchemaOperation, into one "remove" per key the STORED extension holds, `${URN}:${key}`, handed to
// scim-patch without checkPath. A POST stores keys that name built-ins as plain data ("stores a POST ...
// whose keys are inherited names as plain data", safe by itself). So:
//   1. POST a user whose enterprise extension holds the key "constructor.prototype.hasOwnProperty": 201;
//   2. PATCH {"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}: 200.
// scim-patch resolves `${URN}:constructor.prototype.hasOwnProperty` to [URN, "constructor", "prototype",
// "hasOwnProperty"], walks extension.constructor (Object), .prototype (Object.prototype) and runs
// `delete Object.prototype.hasOwnProperty`. freeze-builtins.ts makes Object.prototype non-extensible, not
// frozen (the override mistake), so its properties stay configurable and the delete succeeds; and being
// non-extensible, nothing can ever put it back. From then on every other tenant in the isolate gets 500 on
// a token it has not verified before (jose calls Object.prototype.hasOwnProperty / toString): measured here,
// after the remove (200), the victim's lookup, create and update with its cached token still answered 200,
// 201, 200, but its fresh token answered 500 ("constructor.prototype.hasOwnProperty") or 401
// ("constructor.prototype.toString": a credential failure, which can quarantine the victim's Entra job), and
// so for every tenant whose token that isolate has not cached, until the isolate is recycled. "valueOf",
// "isPrototypeOf" and "propertyIsEnumerable" were deleted as well with no effect seen on these requests. The
// same with "toString" in the workers project took its own test runner down (vitest calls
// Object.prototype.toString.call), which is why this test runs in a Miniflare of its own.
// The keys "constructor.keys" and "toString.call" are stopped only by the freeze (Object.keys is frozen:
// the delete throws, and the remove answers 400 invalidPath; test/http/attack2-patch-names.test.ts).
//
// Suggested fix: src/scim/user-patch.ts wholeSchemaOperation, for "remove": drop the extension from
// `current` directly (it is one own key of the resource) instead of one scim-patch path per stored key; or
// at least run checkPath on each stored key. And, as the second layer, src/freeze-builtins.ts: make every own
// property of Object.prototype non-configurable (Object.defineProperty(..., { configurable: false }), keeping
// writable, so the override mistake does not come back), so that no delete can land.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signDevToken } from "../../src/tools/dev/dev-token.ts";
import { migrationStatements } from "../bench/migrations.ts";
import { buildBundle, ROOT, startSide, stopSide } from "../bench/workers.ts";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const RECORD = JSON.stringify({ accountId: "TM-1001", name: "Contoso", managers: ["Ann Manager"], enabled: true });
const ATTACKER = "aaaaaaaa-1111-4111-8111-000000000001";
const VICTIM = "bbbbbbbb-2222-4222-8222-000000000002";

const userBody = (mobile: string, extension: Record<string, unknown> = {}) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
  userName: mobile,
  externalId: mobile,
  active: true,
  displayName: "Ann Manager",
  emails: [{ primary: true, type: "work", value: "ann.lee@contoso.example" }],
  name: { givenName: "Ann", familyName: "Lee" },
  [ENTERPRISE]: { department: "Sales", ...extension },
});

let outdir: string;
let bundlePath: string;
let jwk: JWK;

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), "tm-attack2-"));
  bundlePath = (await buildBundle(undefined, outdir)).path;
  jwk = JSON.parse(readFileSync(join(ROOT, "src/tools/dev/dev-signing-key.json"), "utf8")) as JWK;
}, 180_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe("a stored extension key naming a built-in, removed with the whole extension", () => {
  // Hole (critical): the remove answered 200; the victim's fresh token then got 500 (hasOwnProperty) or
  // 401 (toString). Each case runs in a workerd of its own: the first attack damages the isolate for good.
  it.each(["hasOwnProperty", "toString"])(
    "leaves Object.prototype.%s in place, so another tenant's lookup, create, update and freshly issued token still answer 2xx",
    async (builtIn) => {
      const side = await startSide(`attack2-${builtIn}`, bundlePath, bundlePath);
      try {
        await side.db.batch(migrationStatements().map((sql) => side.db.prepare(sql)));
        const tokens = new Map<string, string>();
        for (const tenantId of [ATTACKER, VICTIM]) {
          await side.kv.put(`tenant:${tenantId}`, RECORD);
          tokens.set(tenantId, await signDevToken({ jwk, tenantId, expiresInSeconds: 3600 }));
        }
        const scim = async (tenantId: string, method: string, path: string, body?: unknown, token = tokens.get(tenantId)) => {
          const res = await fetch(new URL(`/scim/v2${path}`, side.url), {
            method,
            headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/scim+json" }) },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
          const text = await res.text();
          let parsed: Record<string, any> | undefined;
          try {
            parsed = JSON.parse(text) as Record<string, any>;
          } catch {
            parsed = undefined;
          }
          return { status: res.status, text, body: parsed };
        };
        const victimUser = await scim(VICTIM, "POST", "/Users", userBody("441234567890"));
        expect(victimUser.status, victimUser.text).toBe(201);
        const created = await scim(ATTACKER, "POST", "/Users", userBody("11234567890", { [`constructor.prototype.${builtIn}`]: "x" }));
        expect(created.status, created.text).toBe(201);
        const removed = await scim(ATTACKER, "PATCH", `/Users/${created.body?.id}`, { schemas: [PATCH_OP], Operations: [{ op: "remove", path: ENTERPRISE }] });
        expect(removed.status, removed.text).toBeLessThan(500);
        const lookup = await scim(VICTIM, "GET", `/Users?filter=${encodeURIComponent('userName eq "441234567890"')}`);
        const create = await scim(VICTIM, "POST", "/Users", userBody("85212345678"));
        const update = await scim(VICTIM, "PATCH", `/Users/${victimUser.body?.id}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "active", value: "False" }] });
        // A token this isolate has not verified yet: what the victim's next sync cycle (or another tenant) brings.
        const fresh = await scim(VICTIM, "GET", "/Users?count=1", undefined, await signDevToken({ jwk, tenantId: VICTIM, expiresInSeconds: 1800 }));
        const figures = `the attacker's remove answered ${removed.status}; then the victim's lookup ${lookup.status}, create ${create.status}, update ${update.status}, fresh token ${fresh.status}: ${fresh.text.slice(0, 200)}`;
        expect([lookup.status, create.status, update.status, fresh.status], figures).toEqual([200, 201, 200, 200]);
      } finally {
        await stopSide(side);
      }
    },
    120_000,
  );
});
