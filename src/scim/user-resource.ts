// Rendering a stored user as a SCIM User (RFC 7643 §4.1) with its meta (§3.1), and the ListResponse
// envelope (RFC 7644 §3.4.2).
import { LIST_RESPONSE_SCHEMA } from "./uris.ts";

export type StoredUser = {
  id: string;
  version: number;
  resource: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
};

/** Weak ETag of a version (RFC 7644 §3.14). */
export const versionTag = (version: number): string => `W/"${version}"`;

export function toScimUser(user: StoredUser, baseUrl: string): Record<string, unknown> {
  const { schemas, ...attributes } = user.resource;
  return {
    schemas,
    id: user.id,
    ...attributes,
    meta: {
      resourceType: "User",
      created: user.createdAt,
      lastModified: user.updatedAt,
      location: `${baseUrl}/Users/${user.id}`,
      version: versionTag(user.version),
    },
  };
}

export function listResponse(resources: unknown[], totalResults: number, startIndex: number): Record<string, unknown> {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
