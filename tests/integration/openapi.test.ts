/**
 * The API document (ADR 0040): every public JSON endpoint is in it, and every real response of a
 * seeded municipality validates against its schema (JSON Schema 2020-12, Ajv).
 */
import fs from "node:fs";
import Ajv2020 from "ajv/dist/2020";
import { openApiDocument } from "../../app/domain/api/openapi";
import { webhookBody } from "../../app/services/webhooks/webhooks.server";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { type ApiRequest, seedApiTown } from "../support/api-town";
import { testDatabase } from "../support/db";
import { TestBrowser, call } from "../support/requests";
import { routesDir } from "../support/route-tables";
import { LOCALE_COOKIE } from "../../app/web/locale.server";

let database: Database;
let requests: ApiRequest[];

beforeAll(async () => {
  database = await testDatabase();
  ({ requests } = await seedApiTown(database.db));
});

async function send(r: ApiRequest): Promise<Response> {
  const module = await import(path.join(routesDir, r.file));
  const browser = new TestBrowser(database.db);
  const request = r.form
    ? new Request(r.url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(r.form),
      })
    : new Request(r.url);
  return call(r.form ? module.action : module.loader, browser, request, r.params);
}

const document = openApiDocument("https://shora.test");
const ajv = new Ajv2020({ strict: false, allErrors: true });
// RFC 3339 date-time with an offset, as every instant the API writes.
ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);

type Operation = {
  "x-shora-route"?: string;
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
};
const operation = (r: Pick<ApiRequest, "path" | "method">) =>
  (document.paths as Record<string, Record<string, Operation>>)[r.path]?.[r.method];

/** The validator of one response body: its schema, with the document's components for its references. */
function validatorOf(r: Pick<ApiRequest, "path" | "method">, status: number, type: string) {
  const schema = operation(r)?.responses[String(status)]?.content?.[type]?.schema;
  if (!schema) throw new Error(`${r.method} ${r.path}: no ${status} ${type} in the document`);
  return ajv.compile({ ...schema, components: document.components });
}

function errorsOf(validate: ReturnType<typeof validatorOf>, body: unknown): string {
  return validate(body) ? "" : ajv.errorsText(validate.errors);
}

describe("the API document", () => {
  it("is OpenAPI 3.1 served at /api/openapi.json, with a schema Ajv compiles for every response", async () => {
    const response = await send(requests.find((r) => r.path === "/api/openapi.json") as ApiRequest);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const served = await response.json();
    expect(served.openapi).toBe("3.1.0");
    expect(served.jsonSchemaDialect).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(Object.keys(served.paths)).toEqual(Object.keys(document.paths));
    expect(Object.keys(served.webhooks).sort()).toEqual([
      "implementation.updated",
      "proposal.status_changed",
      "round.phase_changed",
      "round.results_published",
    ]);
    for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, Operation>>))
      for (const [method, op] of Object.entries(item))
        for (const [status, answer] of Object.entries(op.responses))
          for (const type of Object.keys(answer.content ?? {}))
            expect(() => validatorOf({ path, method: method as "get" }, Number(status), type), path).not.toThrow();
  });

  it("is linked from every municipality's open-data page, in English and Persian", async () => {
    const openData = await import("../../app/routes/m.$slug.open-data");
    const r = requests[0];
    for (const locale of ["en", "fa"]) {
      const browser = new TestBrowser(database.db);
      browser.cookies.set(LOCALE_COOKIE, locale);
      const response = await call(openData.loader, browser, browser.get(`/m/${r.params.slug}/open-data`), r.params);
      const { pageStrings } = (await response.json()) as { pageStrings: Record<string, string> };
      expect(pageStrings["openData.apiDocument"]).toMatch(locale === "fa" ? /سند API/ : /API document/);
    }
    const source = fs.readFileSync(path.join(routesDir, "m.$slug.open-data.tsx"), "utf8");
    expect(source).toContain('href="/api/openapi.json"');
  });

  it("has every public JSON route file (a new endpoint cannot be left out)", () => {
    const documented = new Set(
      Object.values(document.paths as Record<string, Record<string, Operation>>).flatMap((item) =>
        Object.values(item).map((op) => op["x-shora-route"]),
      ),
    );
    const jsonRoutes = fs
      .readdirSync(routesDir)
      .filter((file) => !file.includes(".admin.") && !file.startsWith("admin"))
      .filter((file) => {
        const source = fs.readFileSync(path.join(routesDir, file), "utf8");
        const resource = !/export default/.test(source);
        return resource && /application\/json|application\/x-ndjson|open311Response|\bjson\(/.test(source);
      });
    expect(jsonRoutes.length).toBeGreaterThanOrEqual(13);
    expect(jsonRoutes.filter((file) => !documented.has(file))).toEqual([]);
    // And every documented route is one of them, with a real request in this test.
    expect([...documented].filter((file) => !jsonRoutes.includes(file as string))).toEqual([]);
    expect(new Set(requests.map((r) => r.file))).toEqual(documented);
  });
});

describe("real responses", () => {
  it("of every endpoint on a seeded municipality validate against the document", async () => {
    const failures: string[] = [];
    for (const r of requests) {
      const response = await send(r);
      const type = (response.headers.get("content-type") ?? "").split(";")[0];
      const text = await response.text();
      expect(response.status, `${r.method} ${r.url}: ${text.slice(0, 200)}`).toBeLessThan(300);
      const validate = validatorOf(r, response.status, type);
      const bodies =
        type === "application/x-ndjson"
          ? text
              .trim()
              .split("\n")
              .map((l) => JSON.parse(l))
          : [JSON.parse(text)];
      expect(bodies.length).toBeGreaterThan(0);
      for (const body of bodies) {
        const errors = errorsOf(validate, body);
        if (errors) failures.push(`${r.method} ${r.path}: ${errors}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("that are wrong fail the validation", async () => {
    const results = requests.find((r) => r.path.endsWith("/results")) as ApiRequest;
    const body = await (await send(results)).json();
    const validate = validatorOf(results, 200, "application/json");
    expect(errorsOf(validate, body)).toBe("");
    const wrongAmount = structuredClone(body);
    wrongAmount.envelopes[0].amount = "8000";
    expect(errorsOf(validate, wrongAmount)).toMatch(/amount/);
    const missingTurnout = structuredClone(body);
    delete missingTurnout.turnout;
    expect(errorsOf(validate, missingTurnout)).toMatch(/turnout/);
    const open311 = requests.find((r) => r.path.endsWith("/requests.json") && r.method === "get") as ApiRequest;
    const rows = await (await send(open311)).json();
    rows[0].requested_datetime = "yesterday";
    expect(errorsOf(validatorOf(open311, 200, "application/json"), rows)).toMatch(/date-time/);
  });

  it("include the webhook deliveries' bodies", () => {
    const validate = ajv.compile({ ...document.components.schemas.WebhookDelivery, components: document.components });
    const body = webhookBody({
      id: "3f1c",
      kind: "round.results_published",
      createdAt: new Date("2026-12-07T10:00:00Z"),
      payload: { municipality: "town", round: "budget", funded: ["p1"] },
    });
    expect(errorsOf(validate, JSON.parse(body))).toBe("");
    expect(errorsOf(validate, { ...JSON.parse(body), event: "ballot.cast" })).toMatch(/event/);
  });
});
