// The wrangler.toml a command targets (--config, else the project's), parsed. Node only.
import { existsSync, readFileSync } from "node:fs";
import { parse } from "smol-toml";
import type { WranglerConfig } from "../deploy/plan.ts";

/** The parsed file; empty when there is none, so callers fall back to their defaults. */
export const readWranglerConfig = (path = "wrangler.toml"): WranglerConfig =>
  existsSync(path) ? (parse(readFileSync(path, "utf8")) as WranglerConfig) : {};
