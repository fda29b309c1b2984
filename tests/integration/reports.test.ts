/**
 * Residents' reports end to end through the routes: filing with a photo (metadata stripped), the desk
 * (acknowledge, reply, close), the reporter's messages, the public figures, Open311 field by field
 * against the spec's field lists, and bad input refused with nothing changed.
 */
import fs from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { media, mediaFiles, outbox, reports } from "../../db/schema";
import { saveReportCategory, saveReportSettings } from "../../app/services/reports/reports.server";
import { issueOpen311Key } from "../../app/services/reports/open311.server";
import { scopeOf } from "../../app/services/scope";
import * as fileRoute from "../../app/routes/m.$slug.reports.new";
import * as reportRoute from "../../app/routes/m.$slug.reports.$number._index";
import * as mediaRoute from "../../app/routes/m.$slug.media.$id.$file";
import * as deskRoute from "../../app/routes/m.$slug.admin.reports.$number";
import * as figuresJson from "../../app/routes/m.$slug.reports.figures[.json]";
import * as services from "../../app/routes/m.$slug.open311.v2.services[.json]";
import * as service from "../../app/routes/m.$slug.open311.v2.services.$code";
import * as requestsRoute from "../../app/routes/m.$slug.open311.v2.requests[.json]";
import * as requestsXml from "../../app/routes/m.$slug.open311.v2.requests[.xml]";
import * as servicesXml from "../../app/routes/m.$slug.open311.v2.services[.xml]";
import * as requestRoute from "../../app/routes/m.$slug.open311.v2.requests.$id";
import * as tokenRoute from "../../app/routes/m.$slug.open311.v2.tokens.$token";
import { TestBrowser, call, fingerprint } from "../support/requests";
import { fieldsOf, readXml } from "../support/xml";
import { testDatabase, unique } from "../support/db";
import { type Town, makeMember, makeMunicipality, makeUser, sessionFor } from "../support/factories";

const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "../fixtures/open311/fields.json"), "utf8"));

let database: Database;
let town: Town;
let slug: string;
let residentId: string;
let staffId: string;
let apiKey: string;

async function photoWithMarker(): Promise<Buffer> {
  return sharp({ create: { width: 40, height: 30, channels: 3, background: "orange" } })
    .withExif({
      IFD0: { Artist: "SECRET-CAMERA-OWNER" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "35/1 45/1 0/1", GPSLongitudeRef: "E", GPSLongitude: "51/1 24/1 0/1" },
    })
    .jpeg()
    .toBuffer();
}

/** The report's photos as the media service stored them, and the served 40 px WebP of the first. */
async function photosOf(reportId: string) {
  const rows = await database.db
    .select({ id: media.id, data: mediaFiles.data, name: mediaFiles.name, alt: media.alt })
    .from(media)
    .innerJoin(mediaFiles, eq(mediaFiles.mediaId, media.id))
    .where(and(eq(media.ownerKind, "report"), eq(media.ownerId, reportId)));
  return rows;
}

function multipart(browser: TestBrowser, fields: Record<string, string>, photo: Buffer | null, type = "image/jpeg") {
  const body = new FormData();
  body.set("_csrf", "t".repeat(32));
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  if (photo) body.append("photos", new File([new Uint8Array(photo)], "lamp.jpg", { type }));
  return new Request(`http://localhost/m/${slug}/reports/new`, {
    method: "POST",
    headers: { cookie: browser.cookieHeader() },
    body,
  });
}

async function browserOf(userId: string | null) {
  const browser = new TestBrowser(database.db);
  if (userId) browser.cookies.set("shora_session", await sessionFor(database.db, userId));
  return browser;
}

const state = () => fingerprint(database.db, { municipalityIds: [town.municipality.id], userIds: [residentId] });

beforeAll(async () => {
  database = await testDatabase();
  town = await makeMunicipality(database.db, { timeZone: "Asia/Tehran", districts: ["north"] });
  slug = town.municipality.slug;
  const scope = scopeOf(town.municipality, town.admin.actor);
  await saveReportCategory(database.db, scope, {
    code: "lights",
    name: { en: "Street lighting", fa: "روشنایی معابر" },
    description: { en: "Broken street lights", fa: "چراغ خراب" },
    targetDays: 3,
    allowAnonymous: false,
    aboutProjects: false,
  });
  await saveReportSettings(database.db, scope, {
    weekend: [5],
    holidays: [],
    bounds: { minLat: 35.5, maxLat: 35.9, minLon: 51.1, maxLon: 51.7 },
  });
  residentId = (await makeUser(database.db, { email: `${unique("resident")}@example.org`, locale: "fa" })).id;
  staffId = (await makeMember(database.db, { by: town.admin, email: `${unique("staff")}@example.org` })).user.id;
  apiKey = (await issueOpen311Key(database.db, scope, { label: "311 app" })).key;
});

describe("filing and the desk", () => {
  let number: number;

  it("files a report with a photo whose metadata is stripped, and tells the reporter in their language", async () => {
    const browser = await browserOf(residentId);
    const response = await call(
      fileRoute.action,
      browser,
      multipart(
        browser,
        {
          category: "lights",
          description: "The lamp at the corner is out",
          lat: "۳۵٫۷",
          lon: "51.4",
          district: "north",
        },
        await photoWithMarker(),
      ),
      { slug },
    );
    expect(response.status).toBe(302);
    const location = response.headers.get("location") ?? "";
    number = Number(/reports\/(\d+)/.exec(location)?.[1]);
    expect(number).toBe(1);
    const [row] = await database.db
      .select()
      .from(reports)
      .where(and(eq(reports.municipalityId, town.municipality.id), eq(reports.number, number)));
    expect([row.userId, row.lat, row.lon, row.status]).toEqual([residentId, 35.7, 51.4, "open"]);
    const [photo] = await photosOf(row.id);
    expect(["Photo 1", "عکس ۱"]).toContain(photo.alt);
    // Nobody else's session: a report's photos are public.
    const served = await call(mediaRoute.loader, await browserOf(null), new Request("http://localhost/x"), {
      slug,
      id: photo.id,
      file: photo.name,
    });
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/webp");
    const bytes = Buffer.from(await served.arrayBuffer());
    expect(bytes.includes("SECRET-CAMERA-OWNER")).toBe(false);
    const meta = await sharp(bytes).metadata();
    expect([meta.format, meta.exif, meta.xmp]).toEqual(["webp", undefined, undefined]);
    const [message] = await database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.userId, residentId), eq(outbox.kind, "report.received")));
    expect(message.locale).toBe("fa");
  });

  it("shows the report publicly without the reporter", async () => {
    const page = await call(reportRoute.loader, await browserOf(null), new TestBrowser(database.db).get("/x"), {
      slug,
      number: "1",
    });
    const body = await page.text();
    expect(body).toContain("The lamp at the corner is out");
    expect(body).not.toContain(residentId);
  });

  it("staff acknowledge, reply and close; the resident sees each step and hears of it", async () => {
    const staff = await browserOf(staffId);
    const post = (fields: Record<string, string>) =>
      call(deskRoute.action, staff, staff.post("/x", fields), { slug, number: "1" });
    expect((await post({ intent: "status", status: "acknowledged" })).status).toBe(302);
    expect((await post({ intent: "reply", body: "A crew comes on Saturday.", visibility: "public" })).status).toBe(302);
    expect((await post({ intent: "reply", body: "internal: ladder needed", visibility: "private" })).status).toBe(302);
    // Closing without a resolution is refused, naming the field.
    const refused = await post({ intent: "status", status: "closed" });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toContain("resolution");
    expect((await post({ intent: "status", status: "closed", resolution: "Lamp replaced." })).status).toBe(302);
    const page = await (
      await call(reportRoute.loader, await browserOf(residentId), new TestBrowser(database.db).get("/x"), {
        slug,
        number: "1",
      })
    ).json();
    expect(page.report.status).toBe("closed");
    expect(
      page.events.map((e: { kind: string; status: string | null; body: string | null }) => [e.kind, e.status, e.body]),
    ).toEqual([
      ["status", "acknowledged", null],
      ["reply", null, "A crew comes on Saturday."],
      ["status", "closed", "Lamp replaced."],
    ]);
    const messages = await database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.userId, residentId), eq(outbox.kind, "report.update")));
    expect(messages).toHaveLength(3);
  });

  it("counts the report in the public figures", async () => {
    const response = await call(
      figuresJson.loader,
      new TestBrowser(database.db),
      new TestBrowser(database.db).get("/x"),
      { slug },
    );
    const body = await response.json();
    expect(body.months).toHaveLength(1);
    expect(body.months[0]).toMatchObject({
      category: "lights",
      received: 1,
      responded: 1,
      resolved: 1,
      firstResponseMedian: 0,
    });
  });
});

describe("bad input is refused and changes nothing", () => {
  it("a non-image file, a location outside the municipality, an unknown category", async () => {
    const browser = await browserOf(residentId);
    const before = await state();
    const notImage = await call(
      fileRoute.action,
      browser,
      multipart(browser, { category: "lights", description: "x" }, Buffer.from("%PDF-1.4 not a picture"), "image/jpeg"),
      { slug },
    );
    expect(notImage.status).toBe(400);
    expect(JSON.stringify(await notImage.json())).toContain("photos");
    const outside = await call(
      fileRoute.action,
      browser,
      multipart(browser, { category: "lights", description: "x", lat: "48.85", lon: "2.35" }, null),
      { slug },
    );
    expect(outside.status).toBe(400);
    expect(JSON.stringify(await outside.json())).toContain("lat");
    const unknown = await call(
      fileRoute.action,
      browser,
      multipart(browser, { category: "nope", description: "x" }, null),
      { slug },
    );
    expect(unknown.status).toBe(400);
    expect(await state()).toEqual(before);
  });

  it("a huge upload gets a 413", async () => {
    const browser = await browserOf(residentId);
    const before = await state();
    const huge = Buffer.alloc(16 * 1024 * 1024, 1);
    const response = await call(
      fileRoute.action,
      browser,
      multipart(browser, { category: "lights", description: "x" }, huge),
      { slug },
    );
    expect(response.status).toBe(413);
    expect(await state()).toEqual(before);
  });
});

describe("Open311 GeoReport v2", () => {
  const api = new URLSearchParams();
  const get = (route: { loader: (a: never) => unknown }, params: Record<string, string>, query = "") =>
    call(route.loader as never, new TestBrowser(database.db), new Request(`http://localhost/x${query}`), {
      slug,
      ...params,
    });
  const postRequest = (fields: Record<string, string>) =>
    call(
      requestsRoute.action as never,
      new TestBrowser(database.db),
      new Request("http://localhost/x", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields),
      }),
      { slug },
    );

  it("lists services with the spec's fields", async () => {
    const list = await (await get(services, {})).json();
    expect(Object.keys(list[0]).sort()).toEqual([...spec.service].sort());
    expect(list[0]).toMatchObject({
      service_code: "lights",
      service_name: "Street lighting",
      metadata: false,
      type: "realtime",
    });
    expect(spec.service_types).toContain(list[0].type);
    const fa = await (await get(services, {}, "?locale=fa")).json();
    expect(fa[0].service_name).toBe("روشنایی معابر");
    const definition = await (await get(service, { code: "lights.json" })).json();
    expect(Object.keys(definition).sort()).toEqual([...spec.service_definition].sort());
    const unknown = await get(service, { code: "nope.json" });
    expect(unknown.status).toBe(404);
    expect(Object.keys((await unknown.json())[0]).sort()).toEqual([...spec.error].sort());
  });

  it("creates a request with a valid key, looks it up by token and by id, and filters by status", async () => {
    const created = await postRequest({
      api_key: apiKey,
      service_code: "lights",
      description: "Flickering lamp",
      lat: "35.7",
      long: "51.42",
      email: "someone@example.org",
    });
    expect(created.status).toBe(201);
    const [first] = await created.json();
    expect(Object.keys(first).sort()).toEqual([...spec.post_response].sort());
    const byToken = await (await get(tokenRoute, { token: `${first.token}.json` })).json();
    expect(Object.keys(byToken[0]).sort()).toEqual([...spec.token_response].sort());
    expect(byToken[0].service_request_id).toBe(first.service_request_id);
    const [one] = await (await get(requestRoute, { id: `${first.service_request_id}.json` })).json();
    expect(Object.keys(one).sort()).toEqual([...spec.service_request].sort());
    expect(one).toMatchObject({
      status: "open",
      service_code: "lights",
      lat: 35.7,
      long: 51.42,
      description: "Flickering lamp",
    });
    expect(one.requested_datetime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+03:30$/);
    expect(JSON.stringify(one)).not.toContain("someone@example.org");
    const open = await (await get(requestsRoute, {}, "?status=open")).json();
    const closed = await (await get(requestsRoute, {}, "?status=closed")).json();
    expect(open.map((r: { service_request_id: string }) => r.service_request_id)).toContain(first.service_request_id);
    expect(closed.map((r: { service_request_id: string }) => r.service_request_id)).toEqual(["1"]);
    expect(closed[0].status_notes).toBe("Lamp replaced.");
    const badFilter = await get(requestsRoute, {}, "?status=maybe");
    expect(badFilter.status).toBe(400);
  });

  it("answers in XML when the address ends with .xml, with the same fields under the spec's elements", async () => {
    const xmlOf = async (response: Response, status = 200) => {
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toBe("application/xml; charset=utf-8");
      return readXml(await response.text());
    };
    const at = (file: string) => new Request(`http://localhost/m/${slug}/open311/v2/${file}`);
    const call311 = (route: { loader: (a: never) => unknown }, file: string, params: Record<string, string> = {}) =>
      call(route.loader as never, new TestBrowser(database.db), at(file), { slug, ...params });
    const list = await xmlOf(await call311(servicesXml, "services.xml"));
    expect(list.name).toBe("services");
    expect(list.children.map((c) => c.name)).toEqual(list.children.map(() => "service"));
    expect(Object.keys(fieldsOf(list.children[0])).sort()).toEqual([...spec.service].sort());
    expect(fieldsOf(list.children[0])).toMatchObject({ service_code: "lights", metadata: "false", type: "realtime" });
    const definition = await xmlOf(await call311(service, "services/lights.xml", { code: "lights.xml" }));
    expect(definition.name).toBe("service_definition");
    expect(definition.children.map((c) => c.name).sort()).toEqual([...spec.service_definition].sort());
    const attributes = definition.children.find((c) => c.name === "attributes");
    expect(attributes?.children.every((c) => c.name === "attribute")).toBe(true);
    // A resident's text with markup in it stays text.
    const created = await call(
      requestsXml.action as never,
      new TestBrowser(database.db),
      new Request(`http://localhost/m/${slug}/open311/v2/requests.xml`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          api_key: apiKey,
          service_code: "lights",
          description: "Lamp <b>out</b> & \u0007 dark",
        }),
      }),
      { slug },
    );
    const posted = await xmlOf(created as Response, 201);
    expect(posted.name).toBe("service_requests");
    const [request] = posted.children;
    expect(request.name).toBe("request");
    expect(Object.keys(fieldsOf(request)).sort()).toEqual([...spec.post_response].sort());
    const id = fieldsOf(request).service_request_id;
    const one = await xmlOf(await call311(requestRoute, `requests/${id}.xml`, { id: `${id}.xml` }));
    expect(Object.keys(fieldsOf(one.children[0])).sort()).toEqual([...spec.service_request].sort());
    expect(fieldsOf(one.children[0])).toMatchObject({ status: "open", description: "Lamp <b>out</b> &  dark" });
    const token = await xmlOf(
      await call311(tokenRoute, `tokens/${fieldsOf(request).token}.xml`, { token: `${fieldsOf(request).token}.xml` }),
    );
    expect(fieldsOf(token.children[0]).service_request_id).toBe(id);
    const all = await xmlOf(await call311(requestsXml, "requests.xml?status=open"));
    expect(all.children.map((c) => fieldsOf(c).service_request_id)).toContain(id);
    const refused = await xmlOf(await call311(requestsXml, "requests.xml?status=maybe"), 400);
    expect(refused.name).toBe("errors");
    expect(Object.keys(fieldsOf(refused.children[0])).sort()).toEqual([...spec.error].sort());
    const unknown = await xmlOf(await call311(requestRoute, "requests/999999.xml", { id: "999999.xml" }), 404);
    expect(fieldsOf(unknown.children[0]).code).toBe("404");
    // Another format is not served.
    expect((await call311(requestRoute, "requests/1.csv", { id: "1.csv" })).status).toBe(404);
  });

  it("refuses a missing or forged key and an unknown service code with the spec's errors, changing nothing", async () => {
    const before = await state();
    for (const [fields, status] of [
      [{ service_code: "lights", description: "x" }, 403],
      [{ api_key: "o311_forged", service_code: "lights", description: "x" }, 403],
      [{ api_key: apiKey, service_code: "nope", description: "x" }, 404],
      [{ api_key: apiKey, service_code: "lights", description: "x", lat: "48.85", long: "2.35" }, 400],
    ] as const) {
      const response = await postRequest(fields as Record<string, string>);
      expect(response.status).toBe(status);
      const [error] = await response.json();
      expect(Object.keys(error).sort()).toEqual([...spec.error].sort());
      expect(error.code).toBe(status);
    }
    expect(await state()).toEqual(before);
    void api;
  });
});

describe("keeping a photo's location", () => {
  const file = async (fields: Record<string, string>) => {
    const browser = await browserOf(residentId);
    const response = await call(
      fileRoute.action,
      browser,
      multipart(browser, { category: "lights", description: "Dark corner", ...fields }, await photoWithMarker()),
      { slug },
    );
    expect(response.status).toBe(302);
    const number = Number(/reports\/(\d+)/.exec(response.headers.get("location") ?? "")?.[1]);
    const [row] = await database.db
      .select()
      .from(reports)
      .where(and(eq(reports.municipalityId, town.municipality.id), eq(reports.number, number)));
    return row;
  };

  it("gives the report the photo's GPS position only when the resident chose it, and the photo keeps none", async () => {
    const kept = await file({ keepLocation: "yes" });
    expect([kept.lat, kept.lon]).toEqual([35.75, 51.4]);
    const [photo] = await photosOf(kept.id);
    expect(photo.data).not.toBeNull();
    expect((await sharp(photo.data as Uint8Array).metadata()).exif).toBeUndefined();
    const dropped = await file({});
    expect([dropped.lat, dropped.lon]).toEqual([null, null]);
    // A typed location wins over the photo's.
    const typed = await file({ keepLocation: "yes", lat: "35.6", lon: "51.2" });
    expect([typed.lat, typed.lon]).toEqual([35.6, 51.2]);
  });
});
