// The core contract (src/core-event.ts) as JSON Schema, for the core team: zod 4's own export
// (z.toJSONSchema), with a title and a pointer to the prose. `npm run contract:schema` writes it into
// docs/core-event.schema.json, and test/node/core-contract-schema.test.ts fails when the committed file is
// not what the contract exports, so a contract change cannot reach main without its docs.
import { z } from "zod";
import { CoreEvent } from "../../core-event.ts";

export const SCHEMA_FILE = "docs/core-event.schema.json";

/**
 * The file's whole text: two-space JSON and a final newline. `io: "input"` describes what the contract
 * accepts: zod's objects ignore fields they do not know, and so must the core (docs/core-contract.md,
 * "Changes the core must accept"), where the output form would say additionalProperties: false.
 */
export function coreEventSchemaText(): string {
  const { $schema, ...schema } = z.toJSONSchema(CoreEvent, { io: "input" });
  const document = {
    $schema,
    title: "TeleMessage core event",
    description:
      "The body of POST {CORE_URL}/v1/provisioning/events, one call per change event (docs/core-contract.md). Generated from src/core-event.ts by `npm run contract:schema`; do not edit by hand.",
    ...schema,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
