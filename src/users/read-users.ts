// The read use cases: one user by id, and the filtered, paged list Entra uses to match users.
import type { UserRow } from "../db/schema.ts";
import { findUserById, findUsers, type UserMatch } from "../db/user-store.ts";
import { mobileForLookup } from "./mobile-number.ts";
import type { Page } from "../scim/paging.ts";
import type { UserCriterion } from "../scim/user-filter.ts";
import type { Deps, StorageEnv } from "../deps.ts";
import type { Tenant } from "./tenant.ts";
import { userNotFound } from "./user-not-found.ts";
import { isFenced } from "../db/fence-store.ts";
import { tenantMoving } from "./tenant-moving.ts";

export async function getUser(deps: Deps, env: StorageEnv, tenant: Tenant, id: string): Promise<UserRow> {
  const db = deps.database(env, tenant);
  const user = await findUserById(db, tenant.tenantId, id);
  // On a shard the tenant moved away from, its users are elsewhere: 503, not a 404 Entra would act on.
  if (!user) throw (await isFenced(db, tenant.tenantId)) ? tenantMoving() : userNotFound();
  return user;
}

export async function listUsers(
  deps: Deps,
  env: StorageEnv,
  tenant: Tenant,
  criteria: UserCriterion[],
  page: Page,
): Promise<{ total: number; rows: UserRow[] }> {
  const matches = toMatches(criteria);
  if (!matches) return { total: 0, rows: [] };
  return findUsers(deps.database(env, tenant), tenant.tenantId, matches, page.startIndex - 1, page.count);
}

/**
 * Filter criteria as store lookups, or undefined when nothing can match: a userName that is not a
 * possible mobile number (Entra's Test Connection probes with a random GUID) is "no match", not an error,
 * and matches by the canonical number exactly as the uniqueness check does.
 */
function toMatches(criteria: UserCriterion[]): UserMatch[] | undefined {
  const matches: UserMatch[] = [];
  for (const { attribute, value } of criteria) {
    if (attribute === "userName") {
      const mobile = mobileForLookup(value);
      if (mobile === undefined) return undefined;
      matches.push({ mobile });
    } else {
      if (typeof value !== "string") return undefined;
      matches.push(attribute === "externalId" ? { externalId: value } : { id: value });
    }
  }
  return matches;
}
