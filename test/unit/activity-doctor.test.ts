// The doctor (src/activity/doctor.ts): a tenant's activity and record in, plain-words findings out, each
// saying who must act. Pure, so every situation of issue 14 §2 is built here as data.
import { describe, expect, it } from "vitest";
import { doctorFindings, type Finding } from "../../src/activity/doctor.ts";
import type { Refusal, TenantActivity } from "../../src/activity/read-model.ts";
import type { TenantRecord } from "../../src/tenants/record.ts";
import { closestName, editDistance } from "../../src/tenants/closest-name.ts";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const NOW = new Date("2026-11-28T14:30:00.000Z");
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
const RECORD: TenantRecord = { accountId: "TM-1001", name: "Contoso", managers: ["Ann Manager", "Bob Boss"], enabled: true };

function activity(overrides: Partial<TenantActivity> = {}): TenantActivity {
  return {
    tenantId: TENANT,
    asOf: NOW.toISOString(),
    lastRequestAt: ago(5),
    lastProbeAt: ago(30),
    lastWriteAt: ago(60),
    days: [
      { day: "2026-11-28", kind: "probe", outcome: "2xx", count: 2 },
      { day: "2026-11-28", kind: "lookup", outcome: "2xx", count: 40 },
    ],
    errorsLast24h: 0,
    refusals: [],
    users: { active: 12, disabled: 1 },
    forwarding: { pending: 0, failed: 0, oldestUndeliveredAt: null, oldestUndeliveredAgeSeconds: null, lastDeliveredAt: ago(60) },
    ...overrides,
  };
}

const refusal = (n: number, overrides: Partial<Refusal> = {}): Refusal => ({
  at: ago(n),
  requestId: `req-${n}`,
  kind: "create",
  status: 400,
  scimType: "invalidValue",
  reason: "unknown_manager",
  detail: "displayName does not name a TeleMessage company manager of this account.",
  sent: "Ann Manger",
  ...overrides,
});

const codes = (findings: Finding[]) => findings.map((f) => [f.code, f.who]);

describe("the doctor", () => {
  it("finds nothing wrong with a tenant that provisions, and says so with the last request", () => {
    const findings = doctorFindings(activity(), RECORD, NOW);
    expect(findings).toEqual([
      { code: "healthy", severity: "ok", who: null, message: "No problem found: last request 5 minutes ago, 13 users stored (12 active), nothing waiting for the core." },
    ]);
  });

  it("asks the Entra admin whether provisioning is on when no request came for 3 days", () => {
    const findings = doctorFindings(activity({ lastRequestAt: ago(3 * 24 * 60 + 10) }), RECORD, NOW);
    expect(findings).toEqual([expect.objectContaining({ code: "silent", who: "entra-admin", severity: "problem" })]);
    expect(findings[0]?.message).toMatch(/^No request in 3 days: is provisioning on in Entra\?/);
  });

  it("names the misspelt manager and the registered one when every refusal today is that unknown manager", () => {
    const refusals = Array.from({ length: 41 }, (_, i) => refusal(i + 1));
    const findings = doctorFindings(activity({ refusals, errorsLast24h: 41 }), RECORD, NOW);
    expect(codes(findings)).toEqual([["unknown-manager", "entra-admin"]]);
    expect(findings[0]?.message).toBe(
      "41 refusals in the last 24 h, all unknown manager 'Ann Manger': the app's displayName constant is misspelled; registered: Ann Manager",
    );
  });

  it("says the newest refusals kept are all the unknown manager when there were more than are kept", () => {
    const refusals = Array.from({ length: 50 }, (_, i) => refusal(i + 1));
    const [finding] = doctorFindings(activity({ refusals, errorsLast24h: 300 }), RECORD, NOW);
    expect(finding?.message).toMatch(/^300 refusals in the last 24 h; the last 50 all unknown manager 'Ann Manger'/);
  });

  it("offers to add a manager when the unknown name is near no registered one", () => {
    const [finding] = doctorFindings(activity({ refusals: [refusal(1, { sent: "Zed Zimmer" })], errorsLast24h: 1 }), RECORD, NOW);
    expect(finding?.message).toContain("must be a registered manager (Ann Manager, Bob Boss)");
    expect(finding?.message).toContain(`npm run tenants -- update ${TENANT} --add-manager "Zed Zimmer"`);
  });

  it("sees Test Connection without any user: the app's scope has nobody assigned", () => {
    const findings = doctorFindings(
      activity({ days: [{ day: "2026-11-28", kind: "probe", outcome: "2xx", count: 3 }], users: { active: 0, disabled: 0 }, lastWriteAt: null }),
      RECORD,
      NOW,
    );
    expect(findings).toEqual([
      {
        code: "probe-only",
        severity: "problem",
        who: "entra-admin",
        message: expect.stringMatching(/^Test Connection seen but no user: scope is 'assigned users' with nobody assigned\?/),
      },
    ]);
  });

  it("tells the account manager a disabled tenant's calls get 403", () => {
    const refusals = [refusal(2, { status: 403, scimType: null, reason: "tenant_disabled", detail: "This Entra tenant is not approved...", sent: null })];
    const findings = doctorFindings(activity({ refusals, errorsLast24h: 1 }), { ...RECORD, enabled: false }, NOW);
    expect(codes(findings)).toEqual([["disabled", "account-manager"]]);
    expect(findings[0]?.message).toMatch(/^403: tenant disabled: 1 request refused in the last 24 h\. Enable it \(`npm run tenants -- enable /);
  });

  it("tells the account manager to approve a tenant that is not on the allow-list", () => {
    expect(codes(doctorFindings(activity(), undefined, NOW))).toEqual([["not-listed", "account-manager"]]);
  });

  it("asks whether provisioning was ever turned on when nothing was recorded", () => {
    const findings = doctorFindings(activity({ lastRequestAt: null, lastProbeAt: null, lastWriteAt: null, days: [], users: { active: 0, disabled: 0 } }), RECORD, NOW);
    expect(codes(findings)).toEqual([["never-seen", "entra-admin"]]);
  });

  it("sends failed and long-waiting forwarding to operations, with the outbox commands", () => {
    const findings = doctorFindings(
      activity({ forwarding: { pending: 4, failed: 2, oldestUndeliveredAt: ago(120), oldestUndeliveredAgeSeconds: 7200, lastDeliveredAt: ago(125) } }),
      RECORD,
      NOW,
    );
    expect(codes(findings)).toEqual([
      ["forwarding-failed", "operator"],
      ["forwarding-behind", "operator"],
    ]);
    expect(findings[0]?.message).toContain(`npm run outbox -- failed --tenant ${TENANT}`);
    expect(findings[1]?.message).toContain("4 changes waiting to reach the TeleMessage core, the oldest for 2 hours");
  });

  it("groups other refusals by cause, biggest first, quoting the detail Entra showed and the last request id", () => {
    const national = (n: number) => refusal(n, { reason: null, sent: null, detail: "userName: 0123 **** is a national number; send it in international format." });
    const refusals = [national(1), refusal(2, { status: 503, scimType: null, reason: null, sent: null, detail: "Storage is unavailable." }), national(3), national(4)];
    const findings = doctorFindings(activity({ refusals, errorsLast24h: 4 }), RECORD, NOW);
    expect(codes(findings)).toEqual([
      ["refusals", "entra-admin"],
      ["server-errors", "operator"],
    ]);
    expect(findings[0]?.message).toBe('3 of the last 4 refusals: 400 invalidValue: "userName: 0123 **** is a national number; send it in international format." (last: request id req-1)');
    expect(findings[1]?.message).toContain("request id req-2");
  });

  it("ignores refusals older than 24 h", () => {
    expect(codes(doctorFindings(activity({ refusals: [refusal(25 * 60)] }), RECORD, NOW))).toEqual([["healthy", null]]);
  });
});

describe("the closest registered name", () => {
  it("counts a swap of neighbours as one edit, ignoring case", () => {
    expect(editDistance("Ann Manger", "Ann Manager")).toBe(1);
    expect(editDistance("ann mnaager", "Ann Manager")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
  });

  it("finds a slip, and nothing for a different name or an overlong one", () => {
    expect(closestName("Ann Manger", ["Bob Boss", "Ann Manager"])).toBe("Ann Manager");
    expect(closestName("Zed Zimmer", ["Bob Boss", "Ann Manager"])).toBeUndefined();
    expect(closestName("a".repeat(100_000), ["Ann Manager"])).toBeUndefined();
  });
});
