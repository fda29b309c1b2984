/**
 * The API document (ADR 0040): OpenAPI 3.1 of every public JSON endpoint and of the webhooks, served
 * at /api/openapi.json. Each operation names the route file that answers it (`x-shora-route`): a test
 * checks that every public JSON route is here and that real responses validate against these schemas.
 */
import { phaseKinds } from "../rounds/phases";
import { webhookEvents } from "../webhooks/events";

type Schema = Record<string, unknown>;

const str: Schema = { type: "string" };
const int: Schema = { type: "integer" };
const num: Schema = { type: "number" };
const bool: Schema = { type: "boolean" };
const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: "null" }] });
const arr = (items: Schema): Schema => ({ type: "array", items });
const obj = (properties: Record<string, Schema>, required = Object.keys(properties)): Schema => ({
  type: "object",
  properties,
  required,
});
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const day: Schema = { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" };
const instant: Schema = { type: "string", format: "date-time" };
const hex64: Schema = { type: "string", pattern: "^[0-9a-f]{64}$" };

const schemas: Record<string, Schema> = {
  LocalizedText: {
    type: "object",
    description: "A text in each language it was written in (en, fa).",
    properties: { en: str, fa: str },
    additionalProperties: str,
  },
  Phase: obj({ kind: { enum: [...phaseKinds] }, startsOn: day, endsOn: day }),
  RoundSummary: obj(
    {
      slug: str,
      title: ref("LocalizedText"),
      kind: { enum: ["budgeting", "consultation"] },
      phase: nullable({ enum: [...phaseKinds] }),
      phases: arr(ref("Phase")),
      published: bool,
      fingerprint: nullable(hex64),
      links: { type: "object", properties: { page: str }, required: ["page"], additionalProperties: true },
    },
    ["slug", "title", "kind", "phases", "published", "links"],
  ),
  Checkpoint: obj({
    roundFingerprint: hex64,
    treeSize: int,
    rootHash: hex64,
    signedAt: instant,
    signature: str,
    note: str,
  }),
  Open311Error: arr(obj({ code: int, description: str })),
  Open311Request: obj(
    {
      service_request_id: str,
      status: { enum: ["open", "closed"] },
      status_notes: nullable(str),
      service_name: str,
      service_code: str,
      description: str,
      agency_responsible: str,
      service_notice: nullable(str),
      requested_datetime: instant,
      updated_datetime: instant,
      expected_datetime: nullable(instant),
      address: nullable(str),
      address_id: nullable(str),
      zipcode: nullable(str),
      lat: nullable(num),
      long: nullable(num),
      media_url: nullable(str),
    },
    ["service_request_id", "status", "service_code", "description", "requested_datetime"],
  ),
  WebhookDelivery: obj({
    id: {
      type: "string",
      description: "The delivery's id, also in the Shora-Delivery header; the same on every retry.",
    },
    event: { enum: [...webhookEvents] },
    createdAt: instant,
    data: {
      type: "object",
      description: "Public data only: slugs, ids, statuses and amounts; never a person or a ballot.",
      properties: { municipality: str, round: str },
      required: ["municipality"],
    },
  }),
};

const slug = { name: "slug", in: "path", required: true, schema: str, description: "The municipality's slug." };
const round = { name: "round", in: "path", required: true, schema: str, description: "The round's slug." };
const locale = {
  name: "locale",
  in: "query",
  required: false,
  schema: { enum: ["en", "fa"] },
  description: "Language of names and descriptions (Open311).",
};

const json = (schema: Schema, description = "OK") => ({ description, content: { "application/json": { schema } } });
const notFound = { description: "No such municipality, round or item (or not published yet)." };

function get(route: string, summary: string, parameters: unknown[], ok: unknown, extra: Record<string, unknown> = {}) {
  return { get: { summary, "x-shora-route": route, parameters, responses: { 200: ok, 404: notFound }, ...extra } };
}

const signatureHelp = [
  "Each delivery is a POST of a WebhookDelivery JSON body with the headers Shora-Event (the event),",
  "Shora-Delivery (the delivery id: the same on every retry, so a receiver can ignore repeats) and",
  'Shora-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the endpoint\'s secret>.',
  "A receiver accepts a delivery only when a v1 value matches (compared in constant time) and |now - t| <= 300 s.",
  "Any answer but 2xx is retried with growing pauses (5 s, 10 s … 1 h) up to 8 tries.",
].join(" ");

/** The OpenAPI 3.1 document; `serverUrl` is the public address of this Shora. */
export function openApiDocument(serverUrl: string) {
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "Shora public API",
      version: "1",
      description:
        "Public, read-only JSON of every municipality on this Shora (no sign-in), Open311 GeoReport v2 for reports, and outgoing webhooks. Bundle files are described in docs/decisions/0008 and 0018.",
      license: { name: "AGPL-3.0-or-later", identifier: "AGPL-3.0-or-later" },
    },
    servers: [{ url: serverUrl }],
    paths: {
      "/api/openapi.json": get(
        "api.openapi[.json].tsx",
        "This document",
        [],
        json({ type: "object", required: ["openapi", "paths"] }),
      ),
      "/m/{slug}/api/rounds": get(
        "m.$slug.api.rounds.tsx",
        "The municipality's rounds with their phases and links to published files",
        [slug],
        json(
          obj({
            municipality: obj({ slug: str, name: ref("LocalizedText"), currency: str }),
            rounds: arr(ref("RoundSummary")),
          }),
        ),
      ),
      "/m/{slug}/api/rounds/{round}/results": get(
        "m.$slug.api.rounds.$round.results.tsx",
        "A published round's results per envelope, and turnout",
        [slug, round],
        json(
          obj({
            round: obj({ slug: str, title: ref("LocalizedText") }),
            currency: str,
            fingerprint: hex64,
            ledger: obj({ size: int, finalRoot: nullable(hex64) }),
            envelopes: arr(
              obj(
                {
                  slug: str,
                  name: ref("LocalizedText"),
                  amount: num,
                  rule: str,
                  seed: nullable(str),
                  used: num,
                  ballots: int,
                  selected: arr(str),
                  proposals: arr(
                    obj({
                      id: str,
                      title: ref("LocalizedText"),
                      cost: num,
                      weightedSupport: num,
                      ballots: int,
                      selected: bool,
                    }),
                  ),
                },
                ["slug", "name", "amount", "rule", "used", "ballots", "selected", "proposals"],
              ),
            ),
            turnout: arr(obj({ day, district: nullable(str), voterClass: nullable(str), channel: str, voters: int })),
          }),
        ),
      ),
      "/m/{slug}/implementation.json": get(
        "m.$slug.implementation[.json].tsx",
        "Funded proposals and how far their implementation is",
        [slug],
        json(
          obj({
            municipality: str,
            funded_proposals: arr(
              obj({
                round: str,
                envelope: str,
                proposal: str,
                title_en: nullable(str),
                title_fa: nullable(str),
                allocated: num,
                currency: str,
                status: { enum: ["planned", "in_progress", "completed", "cancelled"] },
                progress: { type: "integer", minimum: 0, maximum: 100 },
                spent: num,
                expected_completion: nullable(day),
                cancel_reason: nullable(str),
                updated_at: nullable(instant),
              }),
            ),
          }),
        ),
      ),
      "/m/{slug}/reports/figures.json": get(
        "m.$slug.reports.figures[.json].tsx",
        "Residents' reports: monthly response and resolution figures per category, and the open backlog",
        [slug],
        json(
          obj({
            municipality: str,
            months_calendar: { enum: ["gregorian", "persian"] },
            working_week: obj({ time_zone: str, weekend: arr(int), holidays: arr(day) }),
            categories: arr(obj({ code: str, name: ref("LocalizedText"), target_working_days: nullable(int) })),
            months: arr(
              obj(
                {
                  category: str,
                  month: str,
                  received: int,
                  responded: int,
                  firstResponseMedian: nullable(num),
                  firstResponseP90: nullable(num),
                  resolved: int,
                  resolutionMedian: nullable(num),
                  resolutionP90: nullable(num),
                  withinTarget: int,
                  targetDue: int,
                  withinTargetShare: nullable(num),
                },
                ["category", "month", "received", "responded", "resolved"],
              ),
            ),
            backlog: arr(obj({ category: str, bucket: str, open: int })),
          }),
        ),
      ),
      "/m/{slug}/rounds/{round}/checkpoints.json": get(
        "m.$slug.rounds.$round.checkpoints[.json].tsx",
        "The round's signed checkpoints of its ballot log, the public key and witnesses",
        [slug, round],
        json(
          obj(
            {
              municipality: str,
              round: str,
              publicKey: nullable(str),
              origin: str,
              witnesses: arr({ type: "object" }),
              quorum: int,
              checkpoints: arr(ref("Checkpoint")),
            },
            ["municipality", "round", "checkpoints"],
          ),
        ),
      ),
      "/m/{slug}/rounds/{round}/receipt.json": get(
        "m.$slug.rounds.$round.receipt[.json].tsx",
        "A ballot's receipt, checked offline with `shora verify-receipt`",
        [slug, round, { name: "ballot", in: "query", required: true, schema: str, description: "The ballot id." }],
        json(
          obj(
            {
              version: int,
              roundFingerprint: hex64,
              ballotId: str,
              leafIndex: nullable(int),
              leafHash: nullable(hex64),
              leaf: nullable({ type: "object" }),
              commitment: str,
              checkpoint: nullable(ref("Checkpoint")),
              inclusionProof: nullable(arr(hex64)),
            },
            ["version", "roundFingerprint", "ballotId", "commitment"],
          ),
        ),
      ),
      "/m/{slug}/rounds/{round}/bundle/{file}": get(
        "m.$slug.rounds.$round.bundle.$file.tsx",
        "One file of a published round's bundle (round.json, ledger.json, tally.json, ballots.jsonl, <envelope>.pb, results-<envelope>.csv, SHA256SUMS, SHA256SUMS.sig)",
        [slug, round, { name: "file", in: "path", required: true, schema: str }],
        {
          description: "The file's bytes",
          content: {
            "application/json": { schema: { type: "object", required: ["format"], properties: { format: str } } },
            "application/x-ndjson": { schema: { type: "object" } },
            "text/csv": { schema: str },
            "text/plain": { schema: str },
          },
        },
      ),
      "/m/{slug}/action-log.jsonl": get(
        "m.$slug.action-log[.jsonl].tsx",
        "The public action log, one JSON object per line, each chained to the previous by its hash",
        [slug],
        {
          description: "JSON lines; each line has this schema",
          content: {
            "application/x-ndjson": {
              schema: obj(
                {
                  seq: int,
                  at: instant,
                  municipality: str,
                  action: str,
                  actor: nullable(str),
                  target: nullable(str),
                  summary: { type: "object" },
                  hash: hex64,
                },
                ["seq", "at", "action", "hash"],
              ),
            },
          },
        },
      ),
      "/m/{slug}/open311/v2/services.json": get(
        "m.$slug.open311.v2.services[.json].tsx",
        "Open311: the report categories",
        [slug, locale],
        json(
          arr(
            obj({
              service_code: str,
              service_name: str,
              description: str,
              metadata: bool,
              type: { enum: ["realtime", "batch", "blackbox"] },
              keywords: str,
              group: str,
            }),
          ),
        ),
      ),
      "/m/{slug}/open311/v2/services/{service_code}.json": get(
        "m.$slug.open311.v2.services.$code.tsx",
        "Open311: a category's extra attributes",
        [slug, { name: "service_code", in: "path", required: true, schema: str }, locale],
        json(obj({ service_code: str, attributes: arr({ type: "object" }) })),
      ),
      "/m/{slug}/open311/v2/requests.json": {
        ...get(
          "m.$slug.open311.v2.requests[.json].tsx",
          "Open311: public reports, with the spec's filters",
          [
            slug,
            locale,
            ...["service_request_id", "service_code", "start_date", "end_date", "status"].map((name) => ({
              name,
              in: "query",
              required: false,
              schema: str,
            })),
          ],
          json(arr(ref("Open311Request"))),
        ),
        post: {
          summary: "Open311: file a report (with an API key staff issued)",
          "x-shora-route": "m.$slug.open311.v2.requests[.json].tsx",
          parameters: [slug, locale],
          requestBody: {
            required: true,
            content: {
              "application/x-www-form-urlencoded": {
                schema: obj(
                  {
                    api_key: str,
                    service_code: str,
                    description: str,
                    lat: str,
                    long: str,
                    address_string: str,
                    email: str,
                    "attribute[project]": str,
                  },
                  ["api_key", "service_code", "description"],
                ),
              },
            },
          },
          responses: {
            201: json(
              arr(
                obj({ service_request_id: str, token: str, service_notice: nullable(str), account_id: nullable(str) }),
              ),
              "Filed",
            ),
            400: json(ref("Open311Error"), "A field is missing or not valid"),
            403: json(ref("Open311Error"), "No valid api_key"),
          },
        },
      },
      "/m/{slug}/open311/v2/requests/{service_request_id}.json": get(
        "m.$slug.open311.v2.requests.$id.tsx",
        "Open311: one report",
        [slug, { name: "service_request_id", in: "path", required: true, schema: str }, locale],
        json(arr(ref("Open311Request"))),
      ),
      "/m/{slug}/open311/v2/tokens/{token}.json": get(
        "m.$slug.open311.v2.tokens.$token.tsx",
        "Open311: the report a token (from filing) became",
        [slug, { name: "token", in: "path", required: true, schema: str }],
        json(arr(obj({ service_request_id: str, token: str }))),
      ),
    },
    webhooks: Object.fromEntries(
      webhookEvents.map((event) => [
        event,
        {
          post: {
            summary: `Shora tells a registered endpoint: ${event}`,
            description: signatureHelp,
            parameters: [
              { name: "Shora-Event", in: "header", required: true, schema: { const: event } },
              { name: "Shora-Delivery", in: "header", required: true, schema: str },
              {
                name: "Shora-Signature",
                in: "header",
                required: true,
                schema: { type: "string", pattern: "^t=\\d+,v1=[0-9a-f]{64}$" },
              },
            ],
            requestBody: { required: true, content: { "application/json": { schema: ref("WebhookDelivery") } } },
            responses: { "2XX": { description: "Received; any other answer is retried" } },
          },
        },
      ]),
    ),
    components: { schemas },
  };
}
