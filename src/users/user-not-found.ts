// The 404 of a user id that names no user of this tenant: what the reads and the writes answer alike
// (another tenant's user is no user at all, RFC 7644 §3.12).
import { notFound } from "../scim/scim-error.ts";

export const userNotFound = () => notFound("No user with this id exists in this tenant.");
