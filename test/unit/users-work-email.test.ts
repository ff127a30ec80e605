import { describe, expect, it } from "vitest";
import { normaliseEmails } from "../../src/users/work-email.ts";

describe("normaliseEmails", () => {
  it("drops an e-mail left without an address (a removed or emptied value), and the list when nothing remains", () => {
    expect(normaliseEmails({ userName: "1", emails: [{ type: "work", primary: true }] })).toEqual({ userName: "1" });
    expect(normaliseEmails({ emails: [{ type: "work", value: "  " }, { type: "home", value: "h@b.example" }] })).toEqual({
      emails: [{ type: "home", value: "h@b.example" }],
    });
  });

  it("keeps one work e-mail, the last written, whatever the type's case; other types stay in order", () => {
    const resource = {
      emails: [
        { type: "work", value: "old@b.example", primary: true },
        { type: "home", value: "h@b.example" },
        { type: " WORK ", value: "new@b.example" },
      ],
    };
    expect(normaliseEmails(resource)).toEqual({ emails: [{ type: "home", value: "h@b.example" }, { type: " WORK ", value: "new@b.example" }] });
  });

  it("leaves its input alone and returns what is not a User-shaped object as is", () => {
    const resource = Object.freeze({ emails: Object.freeze([Object.freeze({ type: "work" })]) });
    expect(normaliseEmails(resource)).toEqual({});
    expect(resource.emails).toHaveLength(1);
    for (const odd of [null, "x", [1], { emails: "x" }, { emails: [1, null, "a"] }]) expect(normaliseEmails(odd)).toBe(odd);
  });
});
