// The baseline Worker with counted bindings, so the statement pass can compare its SQL with the gateway's.
import { handleBaseline } from "./baseline-worker.ts";
import { instrument } from "./counting-worker.ts";

export default instrument(handleBaseline);
