// The User vocabulary (RFC 7643 §4.1, §4.3, §3.1): attribute and sub-attribute names in their canonical
// spelling, keyed by lower case (RFC 7643 §2.1: "Attribute names are case insensitive"). PATCH respells
// paths with it, and its names are the ones a PATCH path or value key may always carry (patch-names.ts).
import { ENTERPRISE_USER_SCHEMA } from "./uris.ts";

/** RFC 7643 §4.1 User attributes and §3.1 common attributes. */
export const USER_ATTRIBUTES = canonicalNames(
  "id externalId meta schemas userName name displayName nickName profileUrl title userType preferredLanguage " +
    "locale timezone active password emails phoneNumbers ims photos addresses groups entitlements roles x509Certificates",
);
export const MULTI_VALUED: ReadonlySet<string> = new Set(
  "emails phoneNumbers ims photos addresses groups entitlements roles x509Certificates".split(" "),
);
export const NAME_FIELDS = canonicalNames("formatted familyName givenName middleName honorificPrefix honorificSuffix");
export const MULTI_VALUE_FIELDS = canonicalNames("value display type primary $ref");
export const ADDRESS_FIELDS = canonicalNames("formatted streetAddress locality region postalCode country type primary");
/** RFC 7643 §3.1 "meta". */
export const META_FIELDS = canonicalNames("resourceType created lastModified location version");
/** RFC 7643 §4.3. */
export const ENTERPRISE_FIELDS = canonicalNames("employeeNumber costCenter organization division department manager");
export const MANAGER_FIELDS = canonicalNames("value $ref displayName");
export const MANAGER_PATH = `${ENTERPRISE_USER_SCHEMA}:manager`;

/** Every name above, in lower case: the core and enterprise schemas' attributes and sub-attributes. */
export const SCHEMA_NAMES: ReadonlySet<string> = new Set(
  [USER_ATTRIBUTES, NAME_FIELDS, MULTI_VALUE_FIELDS, ADDRESS_FIELDS, META_FIELDS, ENTERPRISE_FIELDS, MANAGER_FIELDS].flatMap((names) => [
    ...names.keys(),
  ]),
);

function canonicalNames(names: string): ReadonlyMap<string, string> {
  return new Map(names.split(" ").map((name) => [name.toLowerCase(), name]));
}
