// What a change did to a record, field by field, as the commands report it and the audit trail keeps it.
// Pure. A secret token's hash is never shown whole: "issued (sha256 1a2b3c4d...)" tells two apart.
import type { z } from "zod";
import type { TenantRecord } from "./record.ts";

/** One field of the record before and after; `undefined` means absent. Hashes are shown as a summary. */
export type FieldChange = { field: string; from: unknown; to: unknown };

export type TenantAction =
  | "added"
  | "replaced"
  | "updated"
  | "disabled"
  | "enabled"
  | "removed"
  | "token-issued"
  | "token-revoked"
  | "unchanged";

/** The fields people care about, in the order they are shown; timestamps are bookkeeping, not changes. */
const SHOWN_FIELDS = ["accountId", "name", "managers", "callingCodes", "enabled", "secretTokenSha256", "authMode", "shard"] as const;

export function diffRecords(before: TenantRecord | undefined, after: TenantRecord | undefined): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of SHOWN_FIELDS) {
    const from = before?.[field];
    const to = after?.[field];
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    if (field === "secretTokenSha256") {
      changes.push({ field: "secretToken", from: describeTokenHash(from as string | undefined), to: describeTokenHash(to as string | undefined) });
    } else {
      changes.push({ field, from, to });
    }
  }
  return changes;
}

/** "none", or "issued (sha256 1a2b3c4d...)": enough to tell two tokens apart, not a secret. */
export const describeTokenHash = (hash: string | undefined): string =>
  hash ? `issued (sha256 ${hash.slice(0, 8)}...)` : "none";

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join(".");
      return path && !issue.message.startsWith(path) ? `${path}: ${issue.message}` : issue.message;
    })
    .join("; ");
}
