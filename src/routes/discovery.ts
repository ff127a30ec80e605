// Discovery endpoints (RFC 7644 §4): no token, no tenant data.
import { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { resourceTypeDocuments, schemaDocuments, serviceProviderConfig } from "../scim/discovery.ts";
import { notFound } from "../scim/scim-error.ts";
import { scimBaseUrl } from "../http/manager-url.ts";
import { listResponse } from "../scim/user-resource.ts";

export const discoveryRoutes = new Hono<AppEnv>()
  .get("/ServiceProviderConfig", (c) => c.json(serviceProviderConfig(scimBaseUrl(c))))
  .get("/ResourceTypes", (c) => {
    const types = resourceTypeDocuments(scimBaseUrl(c));
    return c.json(listResponse(types, types.length, 1));
  })
  .get("/ResourceTypes/:id", (c) => {
    const type = resourceTypeDocuments(scimBaseUrl(c)).find((t) => t.id.toLowerCase() === c.req.param("id").toLowerCase());
    if (!type) throw notFound("The only resource type is User.");
    return c.json(type);
  })
  .get("/Schemas", (c) => {
    const schemas = schemaDocuments(scimBaseUrl(c));
    return c.json(listResponse(schemas, schemas.length, 1));
  })
  .get("/Schemas/:id", (c) => {
    const schema = schemaDocuments(scimBaseUrl(c)).find((s) => s.id.toLowerCase() === c.req.param("id").toLowerCase());
    if (!schema) throw notFound("Unknown schema; GET /Schemas lists the ones this service supports.");
    return c.json(schema);
  });
