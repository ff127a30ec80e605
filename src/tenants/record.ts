// The allow-list record: one KV entry per approved Entra tenant. This module is the single definition of
// the format; the Worker and the account managers' CLI both import it, so neither can write what the
// other cannot read. No framework imports here.
//
//   key:   tenant:<Entra tenant id, lower case GUID>
//   value: JSON, TenantRecord below
import { z } from "zod";

export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const TenantId = z
  .string()
  .trim()
  .regex(GUID_PATTERN, "an Entra tenant id is a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47")
  .transform((s) => s.toLowerCase());

/** Names compare ignoring case and surrounding space (how an admin may type the manager's name). */
export const managerKey = (name: string): string => name.trim().toLowerCase();

export const TenantRecord = z
  .object({
    /** The TeleMessage account this tenant's users belong to; forwarded to the core with every change. */
    accountId: z.string().trim().min(1, "accountId is required"),
    /** Who the customer is, for people reading the allow-list. */
    name: z.string().trim().min(1, "name is required"),
    /** TeleMessage company managers this tenant may assign users to (SCIM displayName). Absent: any name. */
    managers: z
      .array(z.string().trim().min(1, "a manager name cannot be empty"))
      .min(1, "list at least one manager, or leave managers out to accept any name")
      .refine((names) => new Set(names.map(managerKey)).size === names.length, "manager names must be unique")
      .optional(),
    enabled: z.boolean(),
    /** SHA-256 (hex) of the long random secret token issued for Entra's Secret Token field, if any. */
    secretTokenSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "secretTokenSha256 is 64 lower-case hex digits")
      .optional(),
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

/** The manager a user is assigned to: the record's own spelling of a listed name, or undefined. */
export function findManager(record: TenantRecord, displayName: string): string | undefined {
  const key = managerKey(displayName);
  return record.managers?.find((m) => managerKey(m) === key);
}

/** A stored value read back: the record, or why not (`issues` absent when the value is not even JSON). */
export type StoredRecord = { ok: true; record: TenantRecord } | { ok: false; issues?: z.ZodError };

export function parseStoredRecord(text: string): StoredRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false };
  }
  const parsed = TenantRecord.safeParse(json);
  return parsed.success ? { ok: true, record: parsed.data } : { ok: false, issues: parsed.error };
}
