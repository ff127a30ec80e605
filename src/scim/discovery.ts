// Discovery documents (RFC 7644 §4, RFC 7643 §5-§7). They need no token and carry no tenant data, so
// they are built once per base URL. They declare what the gateway really does: PATCH yes; bulk, sort,
// ETag preconditions, password change no; filter yes, limited to `eq` on the attributes marked below.
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./paging.ts";
import {
  ENTERPRISE_USER_SCHEMA,
  RESOURCE_TYPE_SCHEMA,
  SCHEMA_SCHEMA,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
  USER_SCHEMA,
} from "./uris.ts";

type Attribute = Record<string, unknown>;

const attr = (name: string, description: string, extra: Partial<Attribute> = {}): Attribute => ({
  name,
  type: "string",
  multiValued: false,
  description,
  required: false,
  caseExact: false,
  mutability: "readWrite",
  returned: "default",
  uniqueness: "none",
  ...extra,
});

const USER_ATTRIBUTES: Attribute[] = [
  attr("userName", "The user's mobile number in international format, digits only (e.g. 441234567890). Unique per tenant, compared by its digits.", {
    required: true,
    uniqueness: "server",
  }),
  attr("externalId", "The identifier Entra ID keeps for the user (TeleMessage's guide maps the mobile number).", { caseExact: true }),
  attr("displayName", "The TeleMessage company manager the user belongs to."),
  attr("active", "Whether the user may use TeleMessage (false = disabled, still visible).", { type: "boolean" }),
  attr("name", "The user's name.", {
    type: "complex",
    subAttributes: [attr("givenName", "Given name."), attr("familyName", "Family name."), attr("formatted", "Full name, formatted for display.")],
  }),
  attr("emails", "E-mail addresses; TeleMessage uses the work address.", {
    type: "complex",
    multiValued: true,
    subAttributes: [
      attr("value", "The address."),
      attr("type", "Its kind, e.g. work.", { canonicalValues: ["work", "home", "other"] }),
      attr("primary", "Whether it is the primary address.", { type: "boolean" }),
    ],
  }),
];

const ENTERPRISE_ATTRIBUTES: Attribute[] = [
  attr("department", "Department, kept as sent."),
  attr("employeeNumber", "Employee number, kept as sent."),
];

const schemaDocument = (id: string, name: string, description: string, attributes: Attribute[], baseUrl: string) => ({
  schemas: [SCHEMA_SCHEMA],
  id,
  name,
  description,
  attributes,
  meta: { resourceType: "Schema", location: `${baseUrl}/Schemas/${id}` },
});

export function schemaDocuments(baseUrl: string) {
  return [
    schemaDocument(USER_SCHEMA, "User", "TeleMessage user, keyed by mobile number", USER_ATTRIBUTES, baseUrl),
    schemaDocument(ENTERPRISE_USER_SCHEMA, "EnterpriseUser", "Enterprise attributes, accepted and kept as sent", ENTERPRISE_ATTRIBUTES, baseUrl),
  ];
}

export function resourceTypeDocuments(baseUrl: string) {
  return [
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: "User",
      name: "User",
      endpoint: "/Users",
      description: "TeleMessage users provisioned from Entra ID",
      schema: USER_SCHEMA,
      schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
      meta: { resourceType: "ResourceType", location: `${baseUrl}/ResourceTypes/User` },
    },
  ];
}

export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    documentationUri: "https://www.telemessage.com/",
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE_SIZE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    pagination: { cursor: false, index: true, defaultPaginationMethod: "index", defaultPageSize: DEFAULT_PAGE_SIZE, maxPageSize: MAX_PAGE_SIZE },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "OAuth Bearer Token",
        description: "The token Entra ID's provisioning service signs for the tenant (Secret Token left blank), or a secret token issued by TeleMessage.",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${baseUrl}/ServiceProviderConfig` },
  };
}
