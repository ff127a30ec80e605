// Index-based paging (RFC 7644 §3.4.2.4). startIndex is 1-based; "A value less than 1 SHALL be
// interpreted as 1"; a negative count "SHALL be interpreted as 0"; a count above the maximum is capped
// (the RFC lets the service provider return fewer results than asked).
import { invalidValue } from "./scim-error.ts";

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 500;

export type Page = { startIndex: number; count: number };

export function parsePage(startIndex: string | undefined, count: string | undefined): Page {
  return {
    startIndex: Math.max(1, parseInteger("startIndex", startIndex) ?? 1),
    count: Math.min(MAX_PAGE_SIZE, Math.max(0, parseInteger("count", count) ?? DEFAULT_PAGE_SIZE)),
  };
}

function parseInteger(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  if (!/^\s*-?\d{1,9}\s*$/.test(raw)) throw invalidValue(`'${name}' must be a whole number.`);
  return Number.parseInt(raw, 10);
}
