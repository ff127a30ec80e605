// /Users (RFC 7644 §3.2-§3.6). Handlers validate, call one use case, render; rules live in users/ and scim/.
// A factory of the Worker's Deps: the use cases get the same clock, ids and databases as everything else.
import { Hono, type Context } from "hono";
import * as z from "zod";
import type { AppEnv } from "../app-env.ts";
import type { Deps } from "../deps.ts";
import { relayAfterResponse } from "../http/relay-after-response.ts";
import { addLogNotes, scimBaseUrl } from "../http/manager-url.ts";
import { scimValidator } from "../http/scim-validator.ts";
import { requireScimJson } from "../http/scim-json.ts";
import { parseAttributeSelection, selectAttributes } from "../scim/attribute-selection.ts";
import { parsePage } from "../scim/paging.ts";
import { listResponse, toScimUser, versionTag, type StoredUser } from "../scim/user-resource.ts";
import { parseUserFilter } from "../scim/user-filter.ts";
import { getUser, listUsers } from "../users/read-users.ts";
import { createUser, deleteUser, patchUser, replaceUser, type WriteResult } from "../users/write-user.ts";

const ListQuery = z.looseObject({
  filter: z.string().optional(),
  startIndex: z.string().optional(),
  count: z.string().optional(),
  attributes: z.string().optional(),
  excludedAttributes: z.string().optional(),
});

const ProjectionQuery = z.looseObject({
  attributes: z.string().optional(),
  excludedAttributes: z.string().optional(),
});

type Projection = { attributes?: string; excludedAttributes?: string };

/** A renderer for this request's users: the base URL and the attribute selection are worked out once. */
function renderer(c: Context<AppEnv>, query: Projection = {}) {
  const selection = parseAttributeSelection(query.attributes, query.excludedAttributes);
  const baseUrl = scimBaseUrl(c);
  return (user: StoredUser) => selectAttributes(toScimUser(user, baseUrl), selection);
}

const render = (c: Context<AppEnv>, user: StoredUser, query?: Projection) => renderer(c, query)(user);

/** The request log names the user a write touched and its event: the way from a log line to D1 and the core. */
function trace(c: Context<AppEnv>, result: WriteResult) {
  c.set("userId", result.user.id);
  if (result.event) {
    c.set("eventId", result.event.id);
    c.set("changeType", result.event.type);
  }
  addLogNotes(c, result.notes);
  if (result.dropped?.length) c.set("droppedAttributes", result.dropped);
}

export function usersRoutes(deps: Deps) {
  const written = (c: Context<AppEnv>, result: WriteResult) => {
    trace(c, result);
    if (result.event) relayAfterResponse(c, deps, [result.event]);
    c.header("ETag", versionTag(result.user.version));
  };

  return new Hono<AppEnv>()
    .get("/", scimValidator("query", ListQuery), async (c) => {
      const query = c.req.valid("query");
      const criteria = query.filter === undefined ? [] : parseUserFilter(query.filter);
      const page = parsePage(query.startIndex, query.count);
      const { total, rows } = await listUsers(deps, c.env, c.get("tenant"), criteria, page);
      const resources = rows.map(renderer(c, query));
      return c.json(listResponse(resources, total, page.startIndex));
    })
    .post("/", requireScimJson, async (c) => {
      const result = await createUser(deps, c.env, c.get("tenant"), c.get("body"));
      written(c, result);
      const body = render(c, result.user);
      c.header("Location", `${scimBaseUrl(c)}/Users/${result.user.id}`);
      return c.json(body, 201);
    })
    .get("/:id", scimValidator("query", ProjectionQuery), async (c) => {
      const user = await getUser(deps, c.env, c.get("tenant"), c.req.param("id"));
      c.header("ETag", versionTag(user.version));
      return c.json(render(c, user, c.req.valid("query")));
    })
    .put("/:id", requireScimJson, async (c) => {
      const result = await replaceUser(deps, c.env, c.get("tenant"), c.req.param("id"), c.get("body"));
      written(c, result);
      return c.json(render(c, result.user));
    })
    .patch("/:id", requireScimJson, async (c) => {
      const result = await patchUser(deps, c.env, c.get("tenant"), c.req.param("id"), c.get("body"));
      written(c, result);
      return c.json(render(c, result.user));
    })
    .delete("/:id", async (c) => {
      const result = await deleteUser(deps, c.env, c.get("tenant"), c.req.param("id"));
      trace(c, result);
      if (result.event) relayAfterResponse(c, deps, [result.event]);
      return c.body(null, 204);
    });
}
