// How long a transient failure waits before the queue offers the message again. Exponential in the
// attempt number with "equal jitter" (half the step fixed, half random), so retries of many events that
// failed together spread out instead of hitting a recovering core at the same instant, while every wait
// stays at least half its step (the retry window before the dead-letter queue stays predictable).
// A Retry-After from the core is a floor; the cap bounds both (Queues accept at most 12 hours).

export type BackoffPolicy = {
  /** The first retry's step. */
  baseSeconds: number;
  /** No wait exceeds this, whatever the attempt number or Retry-After says. */
  capSeconds: number;
};

/** Queues' own limit for `retry({ delaySeconds })`. */
export const QUEUES_MAX_DELAY_SECONDS = 43_200;

/** 10 s, 20 s, 40 s ... up to 20 minutes: with max_retries = 24 a message is retried for roughly 3 to 6 hours. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseSeconds: 10, capSeconds: 1_200 };

/**
 * @param attempts the queue's count of deliveries so far, 1 on the first (Message.attempts)
 * @param random a number in [0, 1), injected so tests are deterministic
 */
export function retryDelaySeconds(
  attempts: number,
  retryAfterSeconds: number | undefined,
  random: () => number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  const cap = Math.min(policy.capSeconds, QUEUES_MAX_DELAY_SECONDS);
  const exponent = Math.max(0, Math.min(attempts, 32) - 1);
  const step = Math.min(cap, policy.baseSeconds * 2 ** exponent);
  const jittered = step / 2 + random() * (step / 2);
  const floor = retryAfterSeconds ?? 0;
  return Math.ceil(Math.min(cap, Math.max(jittered, floor)));
}
