// What wrangler.toml promises about forwarding, in every environment (Cloudflare does not inherit queues,
// triggers or secrets into environments): a consumer of the change queue with bounded batches, retries
// and concurrency, a dead-letter queue named "<queue>-dlq" (the name the Worker dispatches on) that has a
// consumer of its own, the every-minute cron, CORE_URL and OUTBOX_RETENTION_DAYS, and CORE_TOKEN required
// as a secret rather than written down.
import { describe, expect, it } from "vitest";
import { isDeadLetterQueue } from "../../src/outbox/consumer.ts";
import { readWranglerToml } from "../support/wrangler-environments.ts";

const config = readWranglerToml();
const environments = [["local", config] as const, ...Object.entries(config.env)];

describe.each(environments)("wrangler.toml forwarding in %s", (_name, environment) => {
  const produced = environment.queues?.producers?.find((p) => p.binding === "CHANGES")?.queue;
  const consumers = environment.queues?.consumers ?? [];
  const main = consumers.find((c) => c.queue === produced);

  it("consumes the queue it produces to, in small batches, with bounded retries and concurrency", () => {
    expect(main, `a consumer of ${produced}`).toBeDefined();
    expect(main).toMatchObject({ max_batch_size: 10, max_retries: 24, max_concurrency: 5 });
    expect(main!.max_batch_timeout).toBeLessThanOrEqual(5);
  });

  it("dead-letters to <queue>-dlq, which has a consumer of its own and no dead-letter queue after it", () => {
    expect(main?.dead_letter_queue).toBe(`${produced}-dlq`);
    expect(isDeadLetterQueue(main!.dead_letter_queue!)).toBe(true);
    expect(isDeadLetterQueue(produced!)).toBe(false);
    const dlq = consumers.find((c) => c.queue === main?.dead_letter_queue);
    expect(dlq, "a consumer of the dead-letter queue").toBeDefined();
    expect(dlq?.dead_letter_queue).toBeUndefined();
  });

  it("runs the outbox cron every minute", () => {
    expect(environment.triggers?.crons).toEqual(["* * * * *"]);
  });

  it("names the core (http only locally) and the retention; requires CORE_TOKEN as a secret", () => {
    expect(environment.vars?.CORE_URL).toMatch(_name === "local" ? /^http:\/\/localhost:8788$/ : /^https:\/\//);
    expect(Number(environment.vars?.OUTBOX_RETENTION_DAYS)).toBeGreaterThanOrEqual(1);
    expect(environment.secrets?.required).toContain("CORE_TOKEN");
    expect(environment.vars?.CORE_TOKEN).toBeUndefined();
  });
});
