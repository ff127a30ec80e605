// One call to the TeleMessage core per change event: POST {CORE_URL}/v1/provisioning/events with the
// event as JSON, `Authorization: Bearer <CORE_TOKEN>` and `Idempotency-Key: <eventId>`, bounded by a
// deadline. `fetch` comes from the Worker's Deps: the runtime's, or in tests the core emulator.
import { CORE_EVENTS_PATH, type CoreEvent } from "../core-event.ts";
import type { Deps } from "../deps.ts";
import { classifyFailure, classifyStatus, isAccepted, type DeliveryOutcome } from "./delivery-outcome.ts";
import { redactText } from "./mask.ts";
import type { ForwardingConfig } from "./forwarding-config.ts";

/** Bytes of an error answer read for its reason; the rest is drained unread. */
const MAX_ERROR_BODY = 2_048;

export async function postEvent(
  event: CoreEvent,
  deps: Pick<Deps, "fetch" | "now">,
  config: Pick<ForwardingConfig, "coreUrl" | "coreToken" | "timeoutMs"> & Partial<Pick<ForwardingConfig, "coreUrlProblem">>,
): Promise<DeliveryOutcome> {
  const { coreUrl, coreToken, timeoutMs } = config;
  // A deploy without its settings: keep the events queued (transient) until someone sets them.
  if (!coreUrl) return { kind: "transient", status: null, reason: config.coreUrlProblem ?? "CORE_URL is not set" };
  if (!coreToken) return { kind: "transient", status: null, reason: "CORE_TOKEN is not set" };
  let response: Response;
  try {
    response = await deps.fetch(`${coreUrl}${CORE_EVENTS_PATH}`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${coreToken}`,
        "Content-Type": "application/json",
        "Idempotency-Key": event.eventId,
      },
      body: JSON.stringify(event),
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return classifyFailure(error);
  }
  const ok = isAccepted(response.status);
  const detail = ok ? "" : await readDetail(response);
  if (ok) await response.body?.cancel();
  return classifyStatus(response.status, response.headers.get("Retry-After"), deps.now(), detail);
}

/** The start of an error answer, redacted: the core may echo the number or e-mail it was sent. */
async function readDetail(response: Response): Promise<string> {
  try {
    const text = (await response.text()).slice(0, MAX_ERROR_BODY);
    return redactText(text);
  } catch {
    return "";
  }
}
