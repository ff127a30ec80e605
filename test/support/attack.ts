// What the hostile-tenant tests share: an attacker and a victim tenant with a user each, and every line the
// Worker prints captured.
import { afterEach, beforeEach, expect, vi } from "vitest";
import { connectedTenant, entraUser } from "./gateway.ts";

/** Two connected tenants, each with one user: the attacker's target and the victim's own. */
export async function attackerAndVictim() {
  const attacker = await connectedTenant();
  const victim = await connectedTenant();
  const created = await attacker.scim("POST", "/Users", entraUser("11234567890"));
  expect(created.status, created.text).toBe(201);
  const victimUser = await victim.scim("POST", "/Users", entraUser("441234567890"));
  expect(victimUser.status, victimUser.text).toBe(201);
  return { attacker, victim, targetPath: `/Users/${created.body.id}`, victimPath: `/Users/${victimUser.body.id}` };
}

/** Captures every console line of each test of the calling file; read them through the returned function. */
export function capturePrintedLines(): () => string[] {
  let printed: string[] = [];
  beforeEach(() => {
    printed = [];
    for (const method of ["log", "warn", "error", "info", "debug"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        printed.push(args.map(String).join(" "));
      });
    }
  });
  afterEach(() => vi.restoreAllMocks());
  return () => printed;
}

/** Waits for the relay's after-response work (waitUntil), whose lines come after the response. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

type Scim = Awaited<ReturnType<typeof connectedTenant>>;

/**
 * Sends the attacker's PATCH and, at the same moment, the victim's lookup (one isolate serves both), and
 * answers each response with its time from the start, plus a sentence of the figures for assertion messages.
 */
export async function patchBesideVictimLookup(attacker: Scim, targetPath: string, victim: Scim, victimPath: string, body: unknown) {
  const bytes = JSON.stringify(body).length;
  const started = Date.now();
  const timed = (response: Promise<Awaited<ReturnType<Scim["scim"]>>>) => response.then((res) => ({ ...res, ms: Date.now() - started }));
  const [attacked, looked] = await Promise.all([timed(attacker.scim("PATCH", targetPath, body)), timed(victim.scim("GET", victimPath))]);
  const figures = `a ${bytes}-byte PATCH took ${attacked.ms} ms (answer ${attacked.status}); the victim's lookup sent meanwhile took ${looked.ms} ms`;
  return { attacked, looked, figures };
}
