// The core contract's JSON Schema in docs/ is what src/core-event.ts exports (issue 13 §3): a change to the
// contract without `npm run contract:schema` (and a look at docs/core-contract.md) fails here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CoreEvent } from "../../src/core-event.ts";
import { coreEventSchemaText, SCHEMA_FILE } from "../../src/tools/contract/json-schema.ts";

const root = join(import.meta.dirname, "..", "..");
const committed = readFileSync(join(root, SCHEMA_FILE), "utf8");

describe("docs/core-event.schema.json", () => {
  it("is exactly what the contract exports (run npm run contract:schema after changing src/core-event.ts)", () => {
    expect(committed, `${SCHEMA_FILE} is stale: run npm run contract:schema`).toBe(coreEventSchemaText());
  });

  it("describes every field of the contract, and requires the ones the contract requires", () => {
    const schema = JSON.parse(committed) as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(CoreEvent.shape).sort());
    const optional = Object.entries(CoreEvent.shape).filter(([, field]) => field.safeParse(undefined).success).map(([name]) => name);
    expect(schema.required.sort()).toEqual(Object.keys(CoreEvent.shape).filter((name) => !optional.includes(name)).sort());
  });

  it("is linked from docs/core-contract.md", () => {
    expect(readFileSync(join(root, "docs/core-contract.md"), "utf8")).toContain("core-event.schema.json");
  });

  it("lets a receiver ignore fields it does not know, as the core must", () => {
    expect(committed).not.toContain('"additionalProperties": false');
    expect(z.toJSONSchema(CoreEvent, { io: "input" })).not.toHaveProperty("additionalProperties", false);
  });
});
