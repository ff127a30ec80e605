// The allow-list record: one KV entry per approved Entra tenant. This module is the single definition of
// the format; the Worker and the account managers' CLI both import it, so neither can write what the
// other cannot read. The CLI writes strictly (TenantRecord); the Worker reads leniently (parseStoredRecord
// ignores fields it does not know). No framework imports here.
//
//   key:   tenant:<Entra tenant id, lower case GUID>
//   value: JSON, TenantRecord below
import * as z from "zod";
import { ManagerList, managerNamed, managersOf } from "./managers.ts";
import { CallingCodes } from "./calling-codes.ts";

/**
 * A GUID's text (8-4-4-4-12 hex digits) as a regular-expression source without anchors, for the patterns
 * built from it: the token's issuer (auth/entra-token.ts, either case) and the secret token
 * (secret-token.ts, lower case, as minted). One definition, so the three cannot drift apart.
 */
export function guidPatternSource(anyCase: boolean): string {
  const hex = anyCase ? "[0-9a-fA-F]" : "[0-9a-f]";
  return [8, 4, 4, 4, 12].map((digits) => `${hex}{${digits}}`).join("-");
}

/** An Entra tenant id, in either case. */
export const GUID_PATTERN = new RegExp(`^${guidPatternSource(true)}$`);

export const TenantId = z
  .string()
  .trim()
  .regex(GUID_PATTERN, "an Entra tenant id is a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47")
  .transform((s) => s.toLowerCase());

export { managerKey } from "./managers.ts";

/** Which bearer tokens a tenant may call with (docs/security.md, "Auth modes"). */
export const AUTH_MODES = ["entra-token", "secret-token", "both"] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export const TenantRecord = z
  .object({
    /** The TeleMessage account this tenant's users belong to; forwarded to the core with every change. */
    accountId: z.string().trim().min(1, "accountId is required"),
    /** Who the customer is, for people reading the allow-list. */
    name: z.string().trim().min(1, "name is required"),
    /**
     * TeleMessage company managers this tenant may assign users to (SCIM displayName), as plain names or as
     * entries with the key of each one's Tenant URL (managers.ts). Absent: any name.
     */
    managers: ManagerList.optional(),
    /** Country calling codes this tenant's mobile numbers may have (calling-codes.ts). Absent: any. */
    callingCodes: CallingCodes.optional(),
    enabled: z.boolean(),
    /** SHA-256 (hex) of the long random secret token issued for Entra's Secret Token field, if any. */
    secretTokenSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "secretTokenSha256 is 64 lower-case hex digits")
      .optional(),
    /**
     * Absent: Entra's signed token, plus the secret token once one is issued (what every record written
     * before this field existed means). "entra-token" refuses secret tokens; "secret-token" refuses Entra's.
     */
    authMode: z.enum(AUTH_MODES).optional(),
    /** The most users this tenant may have at once; absent: DEFAULT_MAX_USERS (issue 11 §3). */
    maxUsers: z.number().int("maxUsers is a whole number").positive("maxUsers is at least 1").optional(),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
  })
  .strict();

export type TenantRecord = z.infer<typeof TenantRecord>;

/** A generous default: the largest customer expected has 100,000 users; the quota is against abuse, not growth. */
export const DEFAULT_MAX_USERS = 250_000;
export const maxUsersOf = (record: TenantRecord): number => record.maxUsers ?? DEFAULT_MAX_USERS;

export const TENANT_KEY_PREFIX = "tenant:";
export const tenantKey = (tenantId: string): string => `${TENANT_KEY_PREFIX}${tenantId.toLowerCase()}`;

/** The manager a user is assigned to: the record's own spelling of a listed (not retired) name or alias, or undefined. */
export function findManager(record: TenantRecord, displayName: string): string | undefined {
  const manager = managerNamed(managersOf(record) ?? [], displayName);
  return manager && !manager.retired ? manager.name : undefined;
}

/**
 * A stored value read back: the record, or why not (`issues` absent when the value is not even JSON).
 * `unknownFields` names what the record holds beyond the fields above, which the reader ignored.
 */
export type StoredRecord = { ok: true; record: TenantRecord; unknownFields: string[] } | { ok: false; issues?: z.ZodError };

// The reader's schema: the same fields, checked the same way, but a field it does not know is ignored
// rather than refused. Records gain fields over time (written by a newer CLI, or still there after the
// Worker is rolled back); refusing them would lock a tenant out with 403. Writes stay strict (TenantRecord).
const ReadableTenantRecord = z.object(TenantRecord.shape);

export function parseStoredRecord(text: string): StoredRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false };
  }
  const parsed = ReadableTenantRecord.safeParse(json);
  if (!parsed.success) return { ok: false, issues: parsed.error };
  const unknownFields = Object.keys(json as object).filter((field) => !Object.hasOwn(TenantRecord.shape, field));
  return { ok: true, record: parsed.data, unknownFields };
}
