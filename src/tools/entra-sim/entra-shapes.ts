// Entra's provisioning requests, in both of its shapes. The "legacy" shape (a Tenant URL without the
// flag) writes PATCH op names capitalised ("Replace") and booleans as the strings "True"/"False"; the
// RFC-compliant shape (Tenant URL ending `?aadOptscim062020`) writes lower-case ops and JSON booleans and
// adds the enterprise schema, meta and roles to a create. Both match by userName with an `eq` filter.
import type { DirectoryUser } from "./directory.ts";
import type { DiffOp } from "./user-diff.ts";

export const SHAPES = ["legacy", "aadOptscim062020"] as const;
export type Shape = (typeof SHAPES)[number];

const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

export type RequestKind = "probe" | "filter" | "create" | "patch" | "delete" | "list";

export type SimRequest = { kind: RequestKind; method: "GET" | "POST" | "PATCH" | "DELETE"; path: string; body?: unknown };

const bool = (value: boolean, shape: Shape): boolean | string => (shape === "legacy" ? (value ? "True" : "False") : value);

/** Entra writes the filter value in double quotes and the query form-encoded. */
const eqFilter = (attribute: string, value: string) =>
  `filter=${attribute}+eq+%22${encodeURIComponent(value)}%22`;

/** Test Connection: look up a user and a group by a random GUID; both must be empty lists, not errors. */
export function testConnectionRequests(guid: string): SimRequest[] {
  return [
    { kind: "probe", method: "GET", path: `/Users?${eqFilter("userName", guid)}` },
    { kind: "probe", method: "GET", path: `/Groups?excludedAttributes=members&${eqFilter("displayName", guid)}` },
  ];
}

export const filterRequest = (userName: string): SimRequest => ({
  kind: "filter",
  method: "GET",
  path: `/Users?${eqFilter("userName", userName)}`,
});

export function createRequest(user: DirectoryUser, shape: Shape): SimRequest {
  const emails = user.mail ? [{ primary: bool(true, shape), type: "work", value: user.mail }] : undefined;
  const common = {
    externalId: user.mobile,
    userName: user.mobile,
    active: bool(user.active, shape),
    displayName: user.manager,
    ...(emails ? { emails } : {}),
    name: { familyName: user.familyName, givenName: user.givenName },
  };
  const body =
    shape === "legacy"
      ? { schemas: [USER_SCHEMA], ...common }
      : { schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA], ...common, meta: { resourceType: "User" }, roles: [] };
  return { kind: "create", method: "POST", path: "/Users", body };
}

const OP_NAMES: Record<Shape, Record<DiffOp["op"], string>> = {
  legacy: { add: "Add", replace: "Replace", remove: "Remove" },
  aadOptscim062020: { add: "add", replace: "replace", remove: "remove" },
};

export function patchRequest(id: string, ops: readonly DiffOp[], shape: Shape): SimRequest {
  return {
    kind: "patch",
    method: "PATCH",
    path: `/Users/${encodeURIComponent(id)}`,
    body: {
      schemas: [PATCH_SCHEMA],
      Operations: ops.map((o) => ({
        op: OP_NAMES[shape][o.op],
        path: o.path,
        ...(o.value === undefined ? {} : { value: typeof o.value === "boolean" ? bool(o.value, shape) : o.value }),
      })),
    },
  };
}

export const deleteRequest = (id: string): SimRequest => ({ kind: "delete", method: "DELETE", path: `/Users/${encodeURIComponent(id)}` });

export const listRequest = (startIndex: number, count: number): SimRequest => ({
  kind: "list",
  method: "GET",
  path: `/Users?startIndex=${startIndex}&count=${count}`,
});

/** The status Entra treats as success for each kind of request. */
export const EXPECTED_STATUS: Record<RequestKind, number> = {
  probe: 200,
  filter: 200,
  create: 201,
  patch: 200,
  delete: 204,
  list: 200,
};
