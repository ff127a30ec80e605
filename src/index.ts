// Worker entry: fetch (the SCIM endpoint). Queue and scheduled handlers join as forwarding lands.
import { createApp } from "./app.ts";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
