// The order the suite's files start in (vitest's `sequence.sequencer`). On two cores the suite is bound by CPU,
// so what decides its time is whether both cores stay busy, and how many workerds it starts (each Worker
// runtime costs about 4 s of CPU). vitest's pool hands the next file in this order to whichever worker frees
// up, and keeps a worker's runtime for the next file only when that file belongs to the same project; so the
// order is the schedule:
//
// 1. WAITERS first, one worker each: files whose own process mostly waits on the programs they start (the
//    console's browser test under `npm start` and Chromium; the wrangler contract's real wrangler starts,
//    one after the other). They take half a minute or more of wall time but under a core between them.
// 2. The Worker's files beside them, longest first: the first of them starts the workerd runtime (its
//    module graph is transformed by vitest's main process, one core for about ten seconds) while the
//    waiters run, and each waiter's worker joins in when it is done.
// 3. The rest of the node project last: short spawn-bound files that fill the gaps at the end.
//
// Measured with every cache removed (a clean clone, as CI runs it), `npm test` back to back on this machine
// (2 cores), whose speed moves by a fifth within an hour, so only neighbours compare: projects one after the
// other on 2 workers (vitest's default order) 137.2 and 137.5 s; this order on 3 workers 128.6 and 128.7 s,
// on 4 workers 132.2 s (each more workerd costs more CPU than the core it fills); doc-commands, whose --help
// runs then went one at a time, was a third waiter in those runs. Earlier, faster: 2 workers 119.5 s, 3:
// 110.7 s, 4: 106.4 s. As committed (doc-commands runs its --help a core each, among the rest): 116.3 s, and
// 121.8 s for the default order right after.
//
// Within each part, vitest's own order: the longest of the last run first (its timing cache), and without one
// (a clean clone) the largest file first, which is wrong for the small long-running files: LONGEST names them.
import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Files that mostly wait on the processes they start: they start first, each on its own worker. */
const WAITERS = ["test/browser/console.test.ts", "test/node/wrangler-contract.test.ts"];

/** The longest files of the suite's runs (vitest's JSON report), longest first: the order without a timing cache. */
const LONGEST = [
  "test/http/forwarding-burst.test.ts",
  "test/http/tenant-isolation-attacks.test.ts",
  "test/http/attack-shared-storage.test.ts",
  "test/http/tenant-move.test.ts",
  "test/http/tenant-isolation-auth-attacks.test.ts",
  "test/http/concurrent-writes.test.ts",
  "test/http/entra-sim-apps.test.ts",
  "test/http/core-outage.test.ts",
  "test/http/hostile-requests.test.ts",
  "test/http/entra-sim.test.ts",
  "test/node/doc-commands.test.ts",
  "test/node/production-writes.test.ts",
  "test/node/tenants-wrangler.test.ts",
  "test/node/attack2-builtins-isolate.test.ts",
  "test/node/tenants-d1.test.ts",
  "test/node/toolchain.test.ts",
  "test/node/outbox-cli.test.ts",
];

/** The part of the schedule a file belongs to (see above); the Worker's project is named "workers". */
function partOf(path: string, project: string): number {
  if (WAITERS.includes(path)) return 0;
  return project === "workers" ? 1 : 2;
}

export class StartOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const path = (spec: TestSpecification) => relative(root, spec.moduleId);
    const timed = (spec: TestSpecification) => Boolean(this.ctx.cache.getFileTestResults(`${spec.project.name}:${path(spec)}`));
    const hint = (spec: TestSpecification) => {
      const at = LONGEST.indexOf(path(spec));
      return at < 0 || timed(spec) ? LONGEST.length : at;
    };
    // A stable sort: vitest's order stands wherever these keys tie.
    return sorted
      .map((spec, index) => ({ spec, index, group: spec.project.config.sequence.groupOrder, part: partOf(path(spec), spec.project.name), hint: hint(spec) }))
      .sort((a, b) => a.group - b.group || a.part - b.part || a.hint - b.hint || a.index - b.index)
      .map(({ spec }) => spec);
  }
}
