// The console's forms read into the commands' own inputs (tenants/commands.ts). Only the shape of a form is
// checked here (which fields, how long); what a value may be is decided by the commands, with the Worker's
// record schema, exactly as for the CLI: one source of rules. A failure here or there is shown on the form.
import * as z from "zod";
import { parseCallingCodes } from "../tenants/calling-codes.ts";
import type { NewTenant, TenantUpdate, WriteOptions } from "../tenants/commands.ts";
import { AUTH_MODES, type AuthMode } from "../tenants/record.ts";

/** Field values as Hono's parseBody gives them. */
export type FormBody = Record<string, string | File | (string | File)[]>;

export class FormError extends Error {}

const MAX_FIELD = 2_000;
const text = (body: FormBody, name: string): string => {
  const value = body[name];
  if (value === undefined) return "";
  if (typeof value !== "string") throw new FormError(`${name}: one text value expected`);
  if (value.length > MAX_FIELD) throw new FormError(`${name}: at most ${MAX_FIELD} characters`);
  return value;
};
const checked = (body: FormBody, name: string): boolean => text(body, name) !== "";
const lines = (value: string): string[] =>
  value
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);

const Version = z.coerce.number().int().min(0);

/** The reason and the version the person saw, which every change form carries. */
export function writeOptions(body: FormBody): WriteOptions {
  const version = Version.safeParse(text(body, "version"));
  if (!version.success) throw new FormError("The form does not say which version of the tenant it was based on; reload the page.");
  const reason = text(body, "reason").trim();
  return { basedOn: version.data, ...(reason ? { reason } : {}) };
}

export type ApproveForm = { tenantId: string; input: NewTenant; options: WriteOptions };

export function readApproveForm(body: FormBody): ApproveForm {
  const managers = lines(text(body, "managers"));
  const anyManager = checked(body, "anyManager");
  if (managers.length === 0 && !anyManager) throw new FormError("Name at least one manager (one per line), or tick \"accept any manager name\".");
  if (managers.length > 0 && anyManager) throw new FormError("Either list managers or accept any manager name, not both.");
  const callingCodes = parseCallingCodes([text(body, "callingCodes")]);
  const reason = text(body, "reason").trim();
  return {
    tenantId: text(body, "tenantId"),
    input: {
      accountId: text(body, "accountId"),
      name: text(body, "name"),
      ...(managers.length ? { managers } : {}),
      ...(callingCodes.length ? { callingCodes } : {}),
      enabled: !checked(body, "disabled"),
    },
    // A new tenant has no version yet: 0 means "not on the allow-list when I looked".
    options: { basedOn: 0, ...(reason ? { reason } : {}) },
  };
}

/** The record form: account, name and calling codes (empty: any). */
export function readRecordForm(body: FormBody): TenantUpdate {
  const callingCodes = parseCallingCodes([text(body, "callingCodes")]);
  return { accountId: text(body, "accountId"), name: text(body, "name"), callingCodes: callingCodes.length ? callingCodes : null };
}

/** One manager form: add, retire or rename. */
export function readManagerForm(body: FormBody): TenantUpdate {
  const action = text(body, "action");
  const name = text(body, "name").trim();
  if (!name) throw new FormError("Name the manager.");
  switch (action) {
    case "add":
      return { addManagers: [name] };
    case "retire":
      return { removeManagers: [name] };
    case "rename": {
      const to = text(body, "to").trim();
      if (!to) throw new FormError(`Give ${name} a new name.`);
      return { renameManagers: [{ from: name, to }] };
    }
    default:
      throw new FormError("Unknown manager action.");
  }
}

/** The auth mode to set with a new token: keep the current one, or one of the modes. */
export function readTokenForm(body: FormBody): { authMode?: AuthMode; force: boolean } {
  const mode = text(body, "authMode");
  const authMode = AUTH_MODES.find((m) => m === mode);
  if (mode && mode !== "keep" && !authMode) throw new FormError(`Auth mode is one of ${AUTH_MODES.join(", ")}.`);
  return { ...(authMode ? { authMode } : {}), force: checked(body, "replace") };
}
