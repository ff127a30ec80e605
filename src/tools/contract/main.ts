// npm run contract:schema: writes the core contract (src/core-event.ts) as JSON Schema into
// docs/core-event.schema.json (json-schema.ts says why). Run it after changing the contract, and commit both.
import { writeFileSync } from "node:fs";
import { parseCommandLine } from "../command-line.ts";
import { coreEventSchemaText, SCHEMA_FILE } from "./json-schema.ts";

const USAGE = `usage: npm run contract:schema

Writes the core contract (src/core-event.ts, a zod schema) as JSON Schema into ${SCHEMA_FILE}, which
docs/core-contract.md links for the TeleMessage core team. A test fails while the committed file differs
from what the contract exports.`;

parseCommandLine("contract:schema", USAGE, {});
writeFileSync(new URL(`../../../${SCHEMA_FILE}`, import.meta.url), coreEventSchemaText());
process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
