// Issue 11 §3: what one user may take in the shared database. The profile is always kept; everything else
// only while the whole stays within the cap, the largest left out first.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { UserRow } from "../../src/db/schema.ts";
import { ScimError } from "../../src/scim/scim-error.ts";
import { buildChangeEvent } from "../../src/users/change-event.ts";
import { capStoredResource, MAX_STORED_BYTES } from "../../src/users/resource-cap.ts";
import { workEmailIndex } from "../../src/users/work-email.ts";
import { droppedFields } from "../../src/http/request-log.ts";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PROFILE = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName: "11234567890",
  externalId: "11234567890",
  active: true,
  displayName: "Ann Manager",
  name: { givenName: "Ann", familyName: "Lee", formatted: "Ann Lee" },
  emails: [{ type: "work", value: "ann.lee@contoso.example", primary: true }],
};
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

describe("capStoredResource", () => {
  it(`keeps a resource within ${MAX_STORED_BYTES} bytes as it is`, () => {
    const resource = { ...PROFILE, title: "Counsel" };
    expect(capStoredResource(resource)).toEqual({ resource, dropped: [] });
  });

  it("leaves out a 64,000-character unknown attribute and keeps the whole profile", () => {
    const { resource, dropped } = capStoredResource({ ...PROFILE, title: "Counsel", blob: "x".repeat(64_000) });
    expect(dropped).toEqual(["blob"]);
    expect(resource).toEqual({ ...PROFILE, title: "Counsel" });
  });

  it("leaves out the largest others first, and only as many as it takes", () => {
    const { resource, dropped } = capStoredResource({ ...PROFILE, a: "x".repeat(5_000), b: "y".repeat(3_000), c: "z".repeat(10) }, 6_000);
    expect(dropped).toEqual(["a"]);
    expect(resource).toMatchObject({ b: "y".repeat(3_000), c: "z".repeat(10) });
  });

  it("breaks ties by name, so the same input always stores the same", () => {
    const input = { ...PROFILE, b: "x".repeat(5_000), a: "y".repeat(5_000) };
    expect(capStoredResource(input, 6_000).dropped).toEqual(["a"]);
    expect(capStoredResource(structuredClone(input), 6_000)).toEqual(capStoredResource(input, 6_000));
  });

  it("counts UTF-8 bytes, as D1 stores the text", () => {
    // About 3,300 characters, 6,300 bytes: within 6,500 bytes, not within 4,500.
    expect(capStoredResource({ ...PROFILE, note: "é".repeat(3_000) }, 6_500).dropped).toEqual([]);
    expect(capStoredResource({ ...PROFILE, note: "é".repeat(3_000) }, 4_500).dropped).toEqual(["note"]);
  });

  it("keeps given, family and formatted name, leaving out other parts of name by their own names", () => {
    const { resource, dropped } = capStoredResource({ ...PROFILE, name: { ...PROFILE.name, middleName: "m".repeat(9_000) } });
    expect(dropped).toEqual(["name.middleName"]);
    expect(resource.name).toEqual(PROFILE.name);
  });

  it("keeps the work e-mail, the one the core receives, and leaves out the other addresses together", () => {
    const emails = [{ type: "home", value: `${"h".repeat(9_000)}@contoso.example` }, ...PROFILE.emails];
    const { resource, dropped } = capStoredResource({ ...PROFILE, emails });
    expect(dropped).toEqual(["emails"]);
    expect(resource.emails).toEqual(PROFILE.emails);
    const event = buildChangeEvent("e", "user.created", { resource: { ...PROFILE, emails } } as unknown as UserRow, { tenantId: "t", record: { accountId: "a", name: "n", enabled: true } }, "now");
    expect((event.payload.user as { workEmail: string }).workEmail).toBe((emails[workEmailIndex(emails)] as { value: string }).value);
  });

  it("keeps the work e-mail the core receives whatever the case and spacing of its type, and whichever address is primary", () => {
    const tenant = { tenantId: "t", record: { accountId: "a", name: "n", enabled: true } };
    const workEmailOf = (resource: Record<string, unknown>) =>
      (buildChangeEvent("e", "user.created", { resource } as unknown as UserRow, tenant, "now").payload.user as { workEmail: string | null }).workEmail;
    fc.assert(
      fc.property(fc.constantFrom("work", "Work", "WORK", " work "), fc.boolean(), (type, otherIsPrimary) => {
        const emails = [{ type: "other", primary: otherIsPrimary, value: `${"o".repeat(9_000)}@contoso.example` }, { type, value: "ann.lee@contoso.example" }];
        const { resource, dropped } = capStoredResource({ ...PROFILE, emails });
        expect(dropped).toEqual(["emails"]);
        expect(workEmailOf(resource), JSON.stringify(resource.emails)).toBe("ann.lee@contoso.example");
      }),
    );
  });

  it("takes an enterprise extension it leaves out off schemas as well", () => {
    const { resource, dropped } = capStoredResource({ ...PROFILE, schemas: [...PROFILE.schemas, ENTERPRISE], [ENTERPRISE]: { department: "d".repeat(9_000) } });
    expect(dropped).toEqual([ENTERPRISE]);
    expect(resource.schemas).toEqual(PROFILE.schemas);
  });

  it("refuses a profile that alone exceeds the cap, as invalidValue", () => {
    const error = (() => {
      try {
        capStoredResource({ ...PROFILE, externalId: "x".repeat(9_000), other: 1 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).scimType).toBe("invalidValue");
    expect((error as ScimError).detail).toContain("8 KiB");
  });

  it("always stores within the cap or refuses, and never changes the profile (property)", () => {
    const extra = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !["schemas", "userName", "externalId", "active", "displayName", "name", "emails"].includes(k)), fc.string({ maxLength: 4_000 }), { maxKeys: 12 });
    fc.assert(
      fc.property(extra, fc.string({ maxLength: 3_000 }), (others, middle) => {
        const input = { ...PROFILE, name: { ...PROFILE.name, middleName: middle }, ...others };
        const { resource, dropped } = capStoredResource(input);
        expect(bytes(resource)).toBeLessThanOrEqual(MAX_STORED_BYTES);
        for (const key of ["schemas", "userName", "externalId", "active", "displayName", "emails"] as const) expect(resource[key]).toEqual(PROFILE[key]);
        expect(resource.name).toMatchObject(PROFILE.name);
        for (const name of dropped) expect(name === "name.middleName" ? (resource.name as Record<string, unknown>).middleName : resource[name]).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});

describe("the log's droppedAttributes", () => {
  it("names at most ten attributes, counts them all, and never writes a name that could carry a number or an address", () => {
    const names = ["blob", "name.middleName", ENTERPRISE, "ann.lee@contoso.example", "x11234567890", "a".repeat(65), "tel4477", ...Array.from({ length: 10 }, (_, i) => `n${"abcdefghij"[i]}`)];
    expect(droppedFields(names)).toEqual({
      droppedAttributes: ["blob", "name.middleName", ENTERPRISE, "(other)", "(other)", "(other)", "(other)", "na", "nb", "nc"],
      droppedAttributeCount: 17,
    });
    expect(droppedFields([])).toEqual({});
  });
});
