import type { Db } from "../db/client.ts";

/** What use cases need from the outside world, injected so tests control time and ids. */
export type UserDeps = {
  db: Db;
  now: () => Date;
  newId: () => string;
};
