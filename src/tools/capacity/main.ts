// npm run capacity [-- --check]: renders docs/capacity.md from the measured inputs (measured.json, written by
// `npm run capacity:measure`) and wrangler.toml's policy. --check writes nothing and exits 1 when the
// committed document is not what the model computes.
import { readFileSync, writeFileSync } from "node:fs";
import { parseCommandLine } from "../command-line.ts";
import { renderCapacityDoc } from "./doc.ts";
import { CAPACITY_DOC_PATH, MEASURED_PATH, type MeasuredInputs } from "./model.ts";
import { readPolicy } from "./policy.ts";

const USAGE = `usage: npm run capacity [-- --check]
  renders ${CAPACITY_DOC_PATH} from ${MEASURED_PATH} and wrangler.toml
  --check   exit 1 when the committed document is out of date (writes nothing)`;
const values = parseCommandLine("capacity", USAGE, { check: { type: "boolean" } });

const root = new URL("../../../", import.meta.url);
const measured = JSON.parse(readFileSync(new URL(MEASURED_PATH, root), "utf8")) as MeasuredInputs;
const text = renderCapacityDoc(measured, readPolicy());
const docUrl = new URL(CAPACITY_DOC_PATH, root);
if (values.check) {
  const current = readFileSync(docUrl, "utf8");
  if (current !== text) {
    process.stderr.write(`${CAPACITY_DOC_PATH} is out of date: run \`npm run capacity\`.\n`);
    process.exitCode = 1;
  }
} else {
  writeFileSync(docUrl, text);
  process.stderr.write(`wrote ${CAPACITY_DOC_PATH}\n`);
}
