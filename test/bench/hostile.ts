// Issue 11 §2: how long the gateway, the real bundle on workerd, takes to answer the filters and PATCH
// bodies that used to hold its isolate (exponential backtracking, quadratic path splitting), at their full
// size. Each is sent a few times, one at a time; the worst time is printed with the bench's budgets.
import { hostileFilters, hostilePatches } from "../support/hostile-text.ts";
import type { Side } from "./workers.ts";

export type HostileTiming = { name: string; length: number; status: number; ms: number };

const TRIES = 3;

export async function measureHostileInputs(side: Side, headers: (body: boolean) => Record<string, string>, userPath: string): Promise<HostileTiming[]> {
  const requests: { name: string; length: number; init: RequestInit; path: string }[] = [];
  // 44 characters is the original report (2.6 s); 1,000 the longest filter accepted at all.
  for (const length of [44, 1_000]) {
    for (const [name, filter] of hostileFilters(length)) {
      requests.push({ name: `filter: ${name}`, length, path: `/scim/v2/Users?filter=${encodeURIComponent(filter)}`, init: { headers: headers(false) } });
    }
  }
  for (const [name, body] of hostilePatches(60_000)) {
    requests.push({ name: `PATCH: ${name}`, length: 60_000, path: userPath, init: { method: "PATCH", headers: headers(true), body: JSON.stringify(body) } });
  }
  const timings: HostileTiming[] = [];
  for (const request of requests) {
    let worst: HostileTiming = { name: request.name, length: request.length, status: 0, ms: 0 };
    for (let i = 0; i < TRIES; i++) {
      const started = performance.now();
      const response = await fetch(new URL(request.path, side.url), request.init);
      await response.arrayBuffer();
      const ms = performance.now() - started;
      if (ms >= worst.ms) worst = { ...worst, status: response.status, ms };
    }
    timings.push(worst);
  }
  return timings;
}

export const worstOf = (timings: HostileTiming[]): HostileTiming | undefined => timings.reduce<HostileTiming | undefined>((a, b) => (a && a.ms >= b.ms ? a : b), undefined);
