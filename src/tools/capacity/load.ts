// The capacity model's figures for the tools that apply its rule (`npm run tenants -- add`): the committed
// measured inputs and wrangler.toml's policy. Node only.
import { readFileSync } from "node:fs";
import { capacityFigures, MEASURED_PATH, type CapacityFigures, type MeasuredInputs } from "./model.ts";
import { readPolicy } from "./policy.ts";

export function loadCapacityFigures(): CapacityFigures {
  const measured = JSON.parse(readFileSync(new URL(`../../../${MEASURED_PATH}`, import.meta.url), "utf8")) as MeasuredInputs;
  return capacityFigures(measured, readPolicy());
}
