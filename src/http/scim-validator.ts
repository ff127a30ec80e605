// The one wrapper around @hono/zod-validator: every route's validation fails with the same SCIM error.
import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { z } from "zod";
import { invalidValue } from "../scim/scim-error.ts";

export const scimValidator = <T extends z.ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  zValidator(target, schema, (result) => {
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue?.path.length ? `'${issue.path.join(".")}': ` : "";
      throw invalidValue(`${where}${issue?.message ?? "invalid request"}`);
    }
  });
