// The gateway (src/index.ts) with counted bindings: the bench's statement pass runs it beside the real bundle.
import gateway from "../../src/index.ts";
import { instrument } from "./counting-worker.ts";

export default instrument((request, env, ctx) => gateway.fetch(request, env, ctx));
