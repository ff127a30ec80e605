// Driver errors are translated here, at the store boundary. D1's messages quote bound parameters (phone
// numbers, e-mails), so they are never logged or returned: callers get a ScimError and the log gets only
// the SQLite error class.
import { ScimError, uniqueness, unavailable } from "../scim/scim-error.ts";

const messagesOf = (error: unknown): string[] => {
  const out: string[] = [];
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) out.push(e.message);
  return out;
};

export const isUniqueViolation = (error: unknown): boolean =>
  messagesOf(error).some((m) => m.includes("UNIQUE constraint failed") || m.includes("SQLITE_CONSTRAINT_UNIQUE"));

/** The SQLite result code without any bound values, e.g. "SQLITE_BUSY", for the log. */
export function sqliteErrorClass(error: unknown): string {
  for (const message of messagesOf(error)) {
    const code = /SQLITE_[A-Z_]+/.exec(message)?.[0];
    if (code) return code;
    if (message.includes("D1_")) return /D1_[A-Z_]+/.exec(message)?.[0] ?? "D1_ERROR";
  }
  return "unknown";
}

/** Rethrows a storage failure as the SCIM error the client should see. */
export function toScimStorageError(error: unknown, onDuplicate: string): ScimError {
  if (error instanceof ScimError) return error;
  if (isUniqueViolation(error)) return uniqueness(onDuplicate);
  const failure = unavailable("The user store is temporarily unavailable; Entra ID retries automatically.");
  (failure as { storageError?: string }).storageError = sqliteErrorClass(error);
  return failure;
}

/** Runs a read; a driver failure becomes the same 503 a failed write gives (reads have no duplicates). */
export async function readGuarded<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw toScimStorageError(error, "");
  }
}
