// Replays Entra ID's request shapes, kept as data in test/fixtures/entra/, through the Worker. Each step's
// `expect.body` must be contained in the response (toMatchObject); `capture: "id"` remembers the created
// user's id for later steps as {{id}}; `absent` lists attributes that must not be in the response.
import { describe, expect, it } from "vitest";
import { connectedTenant } from "../support/gateway.ts";

type Step = {
  request: { method: string; path: string; body?: unknown };
  expect: { status: number; body?: unknown; absent?: string[] };
  capture?: "id";
};
type Fixture = { name: string; steps: Step[] };

const fixtures = import.meta.glob<Fixture>("../fixtures/entra/*.json", { eager: true, import: "default" });

const fill = <T>(value: T, vars: Record<string, string>): T =>
  JSON.parse(JSON.stringify(value).replace(/\{\{(\w+)\}\}/g, (_, k: string) => vars[k] ?? `{{${k}}}`)) as T;

describe("Entra ID request shapes", () => {
  for (const [file, fixture] of Object.entries(fixtures)) {
    it(`${fixture.name} (${file.split("/").pop()})`, async () => {
      const { scim } = await connectedTenant();
      const vars: Record<string, string> = {};
      for (const [index, step] of fixture.steps.entries()) {
        const request = fill(step.request, vars);
        const res = await scim(request.method, request.path, request.body);
        const where = `step ${index + 1}: ${request.method} ${request.path} -> ${res.status} ${res.text}`;
        expect(res.status, where).toBe(step.expect.status);
        expect(res.headers.get("content-type") ?? "", where).toMatch(res.status === 204 ? /^$/ : /^application\/scim\+json/);
        if (step.expect.body) expect(res.body, where).toMatchObject(fill(step.expect.body, vars));
        for (const attribute of step.expect.absent ?? []) expect(res.body, where).not.toHaveProperty(attribute);
        if (step.capture) vars.id = res.body.id;
      }
    });
  }
});
