// Features we do not offer, answered so Entra neither fails nor retries. Entra's Test Connection and
// keep-alive probes query /Groups even with groups off: a 404 there fails the connection and can
// quarantine the app, so any /Groups query is an empty ListResponse.
import { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { notImplemented } from "../scim/scim-error.ts";
import { listResponse } from "../scim/user-resource.ts";

const GROUPS_OFF =
  "Groups are not provisioned to TeleMessage. In the Entra app's Provisioning > Mappings, disable 'Provision Microsoft Entra ID Groups'.";

export const groupsRoutes = new Hono<AppEnv>()
  .get("/", (c) => c.json(listResponse([], 0, 1)))
  .all("/", () => {
    throw notImplemented(GROUPS_OFF);
  })
  .all("/*", () => {
    throw notImplemented(GROUPS_OFF);
  });

export const bulkAndMeRoutes = new Hono<AppEnv>()
  .all("/Bulk", () => {
    throw notImplemented("Bulk operations are not supported (see /ServiceProviderConfig); send one request per user.");
  })
  .all("/Me", () => {
    throw notImplemented("/Me is not supported: the gateway is called by Entra ID's provisioning service, not by users.");
  });
