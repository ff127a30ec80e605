// The simulator's client honours throttling as Entra does, and measures with the clock it is given.
import { describe, expect, it } from "vitest";
import { createScimClient, runPool } from "../../src/tools/entra-sim/scim-client.ts";

describe("simulator SCIM client", () => {
  it("waits out a 429's Retry-After and retries, recording both attempts", async () => {
    const statuses = [429, 200];
    const slept: number[] = [];
    let clock = 0;
    const client = createScimClient(
      { baseUrl: "https://gw.test/scim/v2?aadOptscim062020", token: "t" },
      {
        fetch: async (url, init) => {
          expect(url).toBe("https://gw.test/scim/v2/Users?filter=x");
          expect(new Headers(init?.headers).get("authorization")).toBe("Bearer t");
          clock += 5;
          const status = statuses.shift() ?? 500;
          return new Response(status === 200 ? '{"totalResults":0}' : "{}", { status, headers: { "Retry-After": "2" } });
        },
        now: () => clock,
        sleep: async (ms) => {
          slept.push(ms);
        },
      },
    );
    const result = await client.send({ kind: "filter", method: "GET", path: "/Users?filter=x" });
    expect(result).toEqual({ status: 200, body: { totalResults: 0 }, ms: 5 });
    expect(slept).toEqual([2000]);
    expect(client.samples.map((s) => s.status)).toEqual([429, 200]);
    expect(client.retried).toHaveLength(1);
  });

  it("runs a pool with at most the given number of tasks at once", async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await runPool([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 1));
      running--;
      done.push(n);
    });
    expect(peak).toBe(3);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
