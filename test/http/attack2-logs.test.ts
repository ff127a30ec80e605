// A hostile tenant against the request log's dropped-attribute names after H9 (src/http/request-log.ts,
// commit 83ffe2d): a name with five digits or more is logged as "(other)", but digits are counted per name,
// and up to ten names go into one line. So a number cut into pieces of four digits, one piece per name,
// lands in one log line whole, in the order the tenant chooses (the size cap drops the largest first, and
// the tenant picks the sizes). And LOGGABLE_NAME lets an e-mail address through with its "@" written as a
// dot: "ann.lee.contoso.example" is logged as it is (attack-logs.test.ts keeps the domain out of every
// line, so the lead already counts it as personal data).
// Low, as H9: the names are the tenant's own (its mapping's attribute names), not a user's values.
//
// Suggested fix (src/http/request-log.ts droppedFields): count digits over the whole list of names logged
// (stop logging names, "(other)" for the rest, once the total reaches MAX_DIGITS_IN_NAME), and log as
// "(other)" a name that is not a schema name and holds more than one dot, or simply log only the names
// the User schema knows (src/scim/user-attributes.ts SCHEMA_NAMES) with "(other)" and the count for the rest.
import { describe, expect, it } from "vitest";
import { capturePrintedLines, settle } from "../support/attack.ts";
import { connectedTenant, entraUser } from "../support/gateway.ts";

const NUMBER = "447700900123";

const printedLines = capturePrintedLines();

describe("dropped-attribute names in the request log", () => {
  // Hole (low): the line held "droppedAttributes":["tel4477","tel0090","tel0123"], the number whole once
  // the letters are taken out.
  it("keeps a number cut into four-digit pieces, one per dropped name, out of the log line", async () => {
    const attacker = await connectedTenant();
    // Largest first: the cap drops (and the log names) them in this order.
    const res = await attacker.scim("POST", "/Users", entraUser("11234567890", { tel4477: "x".repeat(9_000), tel0090: "y".repeat(8_900), tel0123: "z".repeat(8_800) }));
    expect(res.status, res.text.slice(0, 200)).toBe(201);
    await settle();
    const request = printedLines().find((line) => line.includes('"droppedAttributes"')) ?? "";
    expect(request, printedLines().join("\n")).not.toBe("");
    expect(request.replace(/\D/g, ""), request).not.toContain(NUMBER);
  });

  // Hole (low): the line held "droppedAttributes":["ann.lee.contoso.example"].
  it("keeps an e-mail address written with dots for its @ out of the log line", async () => {
    const attacker = await connectedTenant();
    const res = await attacker.scim("POST", "/Users", entraUser("11234567890", { "ann.lee.contoso.example": "x".repeat(9_000) }));
    expect(res.status, res.text.slice(0, 200)).toBe(201);
    await settle();
    const request = printedLines().find((line) => line.includes('"droppedAttributes"')) ?? "";
    expect(request, printedLines().join("\n")).not.toBe("");
    expect(request, request).not.toContain("contoso.example");
  });

  it("still logs a schema-shaped dropped name, so the operators see what was left out", async () => {
    const attacker = await connectedTenant();
    const res = await attacker.scim("POST", "/Users", entraUser("11234567890", { nickName: "x".repeat(9_000) }));
    expect(res.status, res.text.slice(0, 200)).toBe(201);
    await settle();
    const request = printedLines().find((line) => line.includes('"droppedAttributes"')) ?? "";
    expect(request, printedLines().join("\n")).toContain('"droppedAttributes":["nickName"]');
  });
});
