/**
 * Requests built from form entries (names may repeat, files of every kind), sent to a loader or action
 * as Remix would, and the outcome read back (status, body, refusal messages).
 */
import fc from "fast-check";
import { CSRF, type TestBrowser, call } from "../requests";
import { type Value, hostileValue, text } from "./hostile";
import { readXml } from "../xml";

/** Whose census the files of a request are made from (valid-looking national IDs and birth dates). */
export interface CensusHolder {
  census: { nationalId: string; birthDate: string }[];
}

export type FileKind =
  | "empty"
  | "binary"
  | "latin1"
  | "bom"
  | "census"
  | "census-bad-rows"
  | "census-formula"
  | "census-huge-cell"
  | "paper"
  | "paper-bad"
  | "paper-formula"
  | "crlf"
  | "oversized"
  | "geojson"
  | "geojson-bowtie"
  | "addresses";

export type Entry = [name: string, value: Value | { file: FileKind; filename: Value }];

export function fileBytes(kind: FileKind, world: CensusHolder): Uint8Array {
  const utf8 = (s: string) => new TextEncoder().encode(s);
  const c = world.census;
  switch (kind) {
    case "empty":
      return new Uint8Array();
    case "binary":
      return Uint8Array.from({ length: 512 }, (_, i) => (i * 37) & 255);
    case "latin1":
      return Uint8Array.from([...Buffer.from("national_id,birth_date\n"), 0xe9, 0xe8, 0x0a]);
    case "bom":
      return utf8(
        `\ufeffnational_id,birth_date,district,voter_class\n${c[2].nationalId},${c[2].birthDate},north,resident\n`,
      );
    case "census":
      return utf8(
        `national_id,birth_date,district,voter_class\n${c
          .slice(0, 40)
          .map((r) => `${r.nationalId},${r.birthDate},north,resident`)
          .join("\n")}\n`,
      );
    case "census-bad-rows":
      return utf8(
        `national_id,birth_date,district,voter_class\n123,1980-01-01,north,resident\n${c[3].nationalId},2031-02-30,nowhere,x\n,,,\n`,
      );
    case "census-formula":
      return utf8(
        `national_id,birth_date,district,voter_class\n=cmd|' /C calc'!A0,1980-01-01,north,"=HYPERLINK(""x"")"\n`,
      );
    case "census-huge-cell":
      return utf8(`national_id,birth_date,district,voter_class\n${"9".repeat(100_000)},1980-01-01,north,resident\n`);
    case "paper":
      return utf8(
        `national_id,birth_date,envelope,choices\n${c[5].nationalId},${c[5].birthDate},green,1:3 2:2\n${c[6].nationalId},,north,1 2\n`,
      );
    case "paper-bad":
      return utf8(`national_id,birth_date,envelope,choices\n${c[7].nationalId},,nowhere,99\n"unterminated,,north,1\n`);
    case "paper-formula":
      return utf8(`national_id,birth_date,envelope,choices\n=1+1,,north,"@SUM(1)"\n`);
    case "oversized":
      return utf8(`national_id,birth_date,envelope,choices\n${"1,,north,1\n".repeat(220_000)}`);
    case "crlf":
      return utf8(`national_id,birth_date,envelope,choices\r\n${c[8].nationalId},,south,1\r\n`);
    // Districts' outlines (ADR 0035): a square for north, and a ring that crosses itself.
    case "geojson":
      return utf8(
        JSON.stringify({
          type: "FeatureCollection",
          features: [
            {
              type: "Feature",
              properties: { code: "north" },
              geometry: {
                type: "Polygon",
                coordinates: [
                  [
                    [51.3, 35.7],
                    [51.4, 35.7],
                    [51.4, 35.8],
                    [51.3, 35.7],
                  ],
                ],
              },
            },
          ],
        }),
      );
    case "geojson-bowtie":
      return utf8(
        `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"north"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}]}`,
      );
    case "addresses":
      return utf8("address,lat,lon\nPark Lane 1,35.72,51.33\n=HYPERLINK(1),35.72,51.34\n");
  }
}

export const fileArb = (kinds: FileKind[]) =>
  fc.record({
    file: fc.constantFrom(...kinds),
    filename: fc.oneof(fc.constantFrom("list.csv", "", "../../x.csv", "a\u202ecsv.exe"), hostileValue),
  });

export type Encoding = "urlencoded" | "multipart" | "json" | "none";

/** A POST with the entries in order (names may repeat), the CSRF token first. */
export function postRequest(
  world: CensusHolder,
  browser: TestBrowser,
  url: string,
  entries: Entry[],
  encoding: Encoding,
  locale: "en" | "fa",
): Request {
  const headers: Record<string, string> = { cookie: browser.cookieHeader(), "accept-language": locale };
  let body: BodyInit | undefined;
  if (encoding === "multipart") {
    const form = new FormData();
    form.append("_csrf", CSRF);
    for (const [name, value] of entries) {
      if (typeof value === "object" && "file" in value)
        form.append(
          name,
          new Blob([fileBytes(value.file, world) as unknown as BlobPart], { type: "text/csv" }),
          text(value.filename) || "x",
        );
      else form.append(name, text(value));
    }
    body = form;
  } else if (encoding === "urlencoded") {
    const form = new URLSearchParams([["_csrf", CSRF]]);
    for (const [name, value] of entries)
      form.append(name, typeof value === "object" && "file" in value ? value.file : text(value));
    body = form;
  } else if (encoding === "json") {
    headers["content-type"] = "application/json";
    body = JSON.stringify(
      Object.fromEntries([
        ["_csrf", CSRF],
        ...entries.map(([n, v]) => [n, typeof v === "object" && "file" in v ? v.file : text(v)]),
      ]),
    );
  }
  return new Request(url, { method: "POST", headers, body });
}

export interface Outcome {
  status: number;
  contentType: string;
  body: string;
  json: unknown;
  location: string | null;
  crash: unknown;
}

/** Runs a loader or action like Remix does; an exception that is not a Response is what the server answers with 500. */
export async function send(
  handler: Parameters<typeof call>[0],
  browser: TestBrowser,
  request: Request,
  params: Record<string, string>,
): Promise<Outcome> {
  let response: Response;
  try {
    response = await call(handler, browser, request, params);
  } catch (crash) {
    return {
      status: 500,
      contentType: "",
      body: String((crash as Error)?.stack ?? crash),
      json: null,
      location: null,
      crash,
    };
  }
  const contentType = response.headers.get("content-type") ?? "";
  const binary = /image\/|zip|octet-stream/.test(contentType);
  const body = binary ? "" : await response.text();
  let json: unknown = null;
  if (contentType.includes("json") && !contentType.includes("ndjson")) {
    try {
      json = JSON.parse(body);
    } catch {
      json = null;
    }
  }
  return { status: response.status, contentType, body, json, location: response.headers.get("location"), crash: null };
}

/**
 * The messages of a refusal: a thrown error's `message` (what the error page shows) or a form's
 * `errors` by field. Empty when the response carries neither.
 */
export function refusalMessages(outcome: Outcome): { fields: string[]; texts: string[]; thrown: boolean } {
  const j = outcome.json as { message?: unknown; errors?: unknown } | null;
  // Open311 GeoReport v2 answers errors in the spec's own format: [{ code, description }].
  if (Array.isArray(outcome.json)) {
    const texts = (outcome.json as { description?: unknown }[])
      .map((e) => e?.description)
      .filter((d): d is string => typeof d === "string");
    return { fields: [], texts, thrown: false };
  }
  // The same errors in the spec's XML: <errors><error><code/><description/></error></errors>.
  if (j === null && outcome.body.startsWith("<?xml")) {
    const root = readXml(outcome.body);
    const texts = root.children.flatMap((e) => e.children.filter((c) => c.name === "description").map((c) => c.text));
    return { fields: [], texts, thrown: false };
  }
  if (j && typeof j.message === "string") return { fields: [], texts: [j.message], thrown: true };
  if (j?.errors && typeof j.errors === "object")
    return { fields: Object.keys(j.errors), texts: Object.values(j.errors).map(String), thrown: false };
  // Open311 GeoReport v2's error format: [{ "code": 404, "description": "…" }].
  if (Array.isArray(outcome.json) && outcome.json.every((e) => typeof e?.description === "string"))
    return { fields: [], texts: outcome.json.map((e: { description: string }) => e.description), thrown: false };
  return { fields: [], texts: [], thrown: false };
}

/**
 * A message a person can read: not empty, not a bare dictionary key, no unfilled `{placeholder}`.
 * A street-map tile template's own tokens ({z}, {x}, {y}, {s}, {r}) are text the person types, not
 * placeholders, when a message names them.
 */
export function readable(message: string): boolean {
  const text = /\{z\}.*\{x\}.*\{y\}/.test(message) ? message.replace(/\{[zxysr]\}/g, "") : message;
  return text.trim().length > 0 && !/^[a-z][A-Za-z]*(\.[A-Za-z_0-9]+)+$/.test(text.trim()) && !/\{\w+\}/.test(text);
}
