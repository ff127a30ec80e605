// Property tests over what issue 12 added to the attack surface: manager names and keys (from the record,
// the URL and displayName), e-mail lists after a PATCH, and country-code lists. Whatever arrives: a result
// or a refusal, never another exception, never a change to the input or to Object.prototype.
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { canonicalMobile } from "../../src/users/mobile-number.ts";
import { normaliseEmails } from "../../src/users/work-email.ts";
import { editManagers, ManagerEditError } from "../../src/tenants/manager-edits.ts";
import { managerKeyFor, managerNamed, managersOf, managerWithKey, MANAGER_KEY_PATTERN } from "../../src/tenants/managers.ts";
import { TenantRecord } from "../../src/tenants/record.ts";
import { assignManager, assignOnUpdate } from "../../src/users/manager-rules.ts";
import { hostileJson, hostileString } from "../support/arbitraries.ts";

const RUNS = 400;
const INHERITED = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "call", "valueOf", "__defineGetter__"];
const nameLike = () => fc.oneof(fc.constantFrom(...INHERITED), hostileString());

afterEach(() => {
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe("hostile manager names and keys", () => {
  it("derive a valid URL key from any name, in bounded time", () => {
    fc.assert(fc.property(nameLike(), (name) => MANAGER_KEY_PATTERN.test(managerKeyFor(name))), { numRuns: RUNS });
  });

  it("parse as a record or are refused, and look-ups by any name, alias or key answer without throwing", () => {
    fc.assert(
      fc.property(fc.array(nameLike(), { minLength: 1, maxLength: 6 }), nameLike(), nameLike(), (names, displayName, key) => {
        const parsed = TenantRecord.safeParse({ accountId: "A", name: "C", managers: names, enabled: true });
        if (!parsed.success) return;
        const managers = managersOf(parsed.data) ?? [];
        expect(new Set(managers.map((m) => m.key)).size).toBe(managers.length);
        managerNamed(managers, displayName);
        expect(managerWithKey(managers, key)?.key ?? key.toLowerCase()).toBe(key.toLowerCase());
        const scope = { managers, app: managers[0] };
        for (const assignment of [assignManager(displayName, scope), assignOnUpdate(displayName, { displayName: "x", manager: key }, scope)]) {
          expect(typeof assignment.ok).toBe("boolean");
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("make the CLI's list edits succeed or refuse with a message, never throw anything else", () => {
    fc.assert(
      fc.property(fc.array(nameLike(), { maxLength: 4 }), fc.array(fc.tuple(nameLike(), nameLike()), { maxLength: 2 }), (add, renames) => {
        try {
          const added = editManagers(undefined, { add: add.length ? add : ["Ann"] }, "2026-12-01T10:00:00.000Z");
          editManagers(added.managers, { rename: renames.map(([from, to]) => ({ from, to })), remove: add.slice(0, 1) }, "2026-12-01T10:00:00.000Z");
        } catch (error) {
          expect(error).toBeInstanceOf(ManagerEditError);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("hostile e-mail lists", () => {
  it("are normalised or returned as they are, and the input is never changed", () => {
    fc.assert(
      fc.property(hostileJson(), fc.array(fc.oneof(hostileJson(), fc.record({ type: nameLike(), value: fc.oneof(hostileString(), fc.constant(undefined)) })), { maxLength: 8 }), (other, emails) => {
        for (const input of [other, { userName: "1", emails }]) {
          const before = JSON.stringify(input);
          normaliseEmails(input);
          expect(JSON.stringify(input)).toBe(before);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("hostile numbers under a tenant's country codes", () => {
  it("are accepted or refused with a detail that never echoes them", () => {
    const codes = fc.subarray(["1", "44", "852", "61", "91"], { minLength: 1 });
    fc.assert(
      fc.property(fc.oneof(hostileString(), fc.stringMatching(/^[1-9][0-9]{6,14}$/)), codes, (input, list) => {
        // The fixed examples in the details are not echoes, even of a number that happens to be inside one.
        fc.pre(!"12025550123 441234567890 85212345678".includes(input.trim()));
        const result = canonicalMobile(input, list);
        if (!result.ok && /^[0-9]{7,}$/.test(input.trim())) expect(result.detail).not.toContain(input.trim());
      }),
      { numRuns: RUNS },
    );
  });
});
