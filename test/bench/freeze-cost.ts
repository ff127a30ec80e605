// What freezing the built-ins costs the gateway's own JavaScript: `node test/bench/freeze-cost.ts [--rounds 3]`.
// Runs the same per-request work (parse a User with the gateway's zod schema, apply Entra's multi-op PATCH with
// the gateway's rules, parse a lookup filter, render a page of 20 users) in fresh Node processes, side by side,
// with nothing frozen and with src/freeze-builtins.ts as shipped. Prints CPU ms per 10,000 iterations and the
// ratio, per round and as medians. Why it exists: freezing Array.prototype makes V8 drop fast paths for some
// array patterns (a loop of push of spread objects took 2.7x the CPU in a micro-benchmark); this checks that
// the gateway's own work does not pay for it. Same V8 as workerd, so the ratio carries over; not a test.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const MODES = ["none", "shipped"] as const;
type Mode = (typeof MODES)[number];
const ITERATIONS = 10_000;

if (process.argv[2] === "--child") {
  process.stdout.write(String(await child(process.argv[3] as Mode)));
} else {
  const at = process.argv.indexOf("--rounds");
  const rounds = at >= 0 ? Number(process.argv[at + 1]) : 3;
  const self = fileURLToPath(import.meta.url);
  const results: Record<Mode, number[]> = { none: [], shipped: [] };
  for (let round = 0; round < rounds; round++) {
    for (const mode of MODES) {
      results[mode].push(Number(execFileSync(process.execPath, [self, "--child", mode], { encoding: "utf8" })));
    }
    console.log(`round ${round + 1}: ${MODES.map((m) => `${m} ${(results[m][round] ?? 0).toFixed(0)} ms`).join(", ")}`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const ratios = (mode: Mode) => results[mode].map((ms, i) => ms / (results.none[i] ?? ms));
  console.log(`CPU ms per ${ITERATIONS.toLocaleString("en")} iterations, median of ${rounds} rounds:`);
  for (const mode of MODES) {
    console.log(`  ${mode.padEnd(13)} ${median(results[mode]).toFixed(0).padStart(6)} ms   ${median(ratios(mode)).toFixed(2)}x of none`);
  }
}

async function child(mode: Mode): Promise<number> {
  if (mode !== "none") await import("../../src/freeze-builtins.ts");
  const { parseUserResource } = await import("../../src/scim/user-schema.ts");
  const { applyUserPatch } = await import("../../src/scim/user-patch.ts");
  const { parseUserFilter } = await import("../../src/scim/user-filter.ts");
  const { listResponse, toScimUser } = await import("../../src/scim/user-resource.ts");
  const body = JSON.stringify({
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    userName: "441234567890",
    externalId: "441234567890",
    active: true,
    displayName: "Ann Manager",
    name: { givenName: "Ann", familyName: "Lee" },
    emails: [{ value: "ann@example.com", type: "work", primary: true }],
  });
  // Entra's usual update: several replaces in one PATCH (docs/entra-setup.md).
  const patch = {
    schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    Operations: [
      { op: "Replace", path: "active", value: "False" },
      { op: "Replace", path: "name.givenName", value: "Anne" },
      { op: "Replace", path: 'emails[type eq "work"].value', value: "anne@example.com" },
      { op: "Add", path: "name.familyName", value: "Leigh" },
    ],
  };
  const work = () => {
    const user = parseUserResource(JSON.parse(body));
    const patched = applyUserPatch(user, patch);
    parseUserFilter('userName eq "441234567890"');
    const rows = Array.from({ length: 20 }, (_, i) => ({ id: String(i), version: 1, resource: patched, createdAt: new Date(0), updatedAt: new Date(0) }));
    return JSON.stringify(listResponse(rows.map((row) => toScimUser(row as never, "https://gw.example/scim/v2")), 20, 1));
  };
  for (let i = 0; i < ITERATIONS / 2; i++) work(); // warm-up: optimised code, as in a warm isolate
  const start = process.cpuUsage();
  for (let i = 0; i < ITERATIONS; i++) work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}
