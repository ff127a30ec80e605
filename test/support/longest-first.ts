// The order the suite's files start in. vitest starts the files that ran longest last time first, so two
// workers finish together; without its timing cache (a clean clone: CI) it starts the largest files first,
// and some of the longest-running files are small (the wrangler contract, 15 real wrangler starts in 130
// lines): measured on a clean clone, the contract started late and the node files ended on it alone. These
// start first when vitest has no timing of them; with one, vitest's own order stands. A stale name only
// loses the hint.
import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** The longest files of the suite's runs (vitest's JSON report), longest first. */
const LONGEST = [
  "test/node/wrangler-contract.test.ts",
  "test/node/doc-commands.test.ts",
  "test/node/attack2-builtins-isolate.test.ts",
  "test/node/tenants-d1.test.ts",
  "test/node/production-writes.test.ts",
  "test/node/tenants-wrangler.test.ts",
  "test/http/forwarding-burst.test.ts",
  "test/http/tenant-isolation-attacks.test.ts",
  "test/http/attack-shared-storage.test.ts",
  "test/http/tenant-move.test.ts",
  "test/http/tenant-isolation-auth-attacks.test.ts",
  "test/http/entra-sim-apps.test.ts",
  "test/http/concurrent-writes.test.ts",
  "test/http/core-outage.test.ts",
];

export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const path = (spec: TestSpecification) => relative(root, spec.moduleId);
    const timed = (spec: TestSpecification) => Boolean(this.ctx.cache.getFileTestResults(`${spec.project.name}:${path(spec)}`));
    const rank = (spec: TestSpecification) => {
      const at = LONGEST.indexOf(path(spec));
      return at < 0 || timed(spec) ? LONGEST.length : at;
    };
    // vitest runs the projects of a group one after the other: each project's run of files is reordered alone.
    const blocks: TestSpecification[][] = [];
    for (const spec of sorted) {
      const last = blocks.at(-1);
      if (last && last[0]!.project.name === spec.project.name) last.push(spec);
      else blocks.push([spec]);
    }
    return blocks.flatMap((block) => block.map((spec, index) => ({ spec, index, rank: rank(spec) })).sort((a, b) => a.rank - b.rank || a.index - b.index).map(({ spec }) => spec));
  }
}
