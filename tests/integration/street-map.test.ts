/**
 * The street map's settings (ADR 0035): the municipality's administrator sets or clears the tile
 * server and the attribution its provider requires through the map page's `tiles` intent; refusals
 * name the field, keep what was typed and write nothing; a change is logged with before and after;
 * staff who are not administrators and residents get 403. The pages' `img-src` source follows the
 * setting at once, per municipality. A round's map carries the street map's data (outlines and points
 * in degrees) only with a tile server.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { actionLog, municipalities } from "../../db/schema";
import * as mapAdmin from "../../app/routes/m.$slug.admin.map";
import {
  importDistrictBoundaries,
  setMapTileUrl,
  setProposalPoint,
  tileImageSourceOf,
} from "../../app/services/geo/maps.server";
import { publicRound } from "../../app/services/rounds/rounds.server";
import { observer, scopeOf } from "../../app/services/scope";
import { districtsOf } from "../../app/services/tenancy/municipality.server";
import { roundMapView } from "../../app/web/round-map.server";
import { testDatabase } from "../support/db";
import {
  type Member,
  type Town,
  makeEnvelope,
  makeMember,
  makeMunicipality,
  makeProposal,
  makeRound,
  makeUser,
  signIn,
} from "../support/factories";
import { call } from "../support/requests";

const SQUARE = (lon: number, lat: number) => [
  [
    [
      [lon, lat],
      [lon + 0.1, lat],
      [lon + 0.1, lat + 0.1],
      [lon, lat + 0.1],
      [lon, lat],
    ],
  ],
];
const DISTRICTS = JSON.stringify({
  type: "FeatureCollection",
  features: [
    {
      type: "Feature",
      properties: { code: "north" },
      geometry: { type: "MultiPolygon", coordinates: SQUARE(51.3, 35.7) },
    },
  ],
});

let database: Database;
let town: Town;
let other: Town;
let staff: Member;

beforeAll(async () => {
  database = await testDatabase();
  town = await makeMunicipality(database.db, { districts: ["north"] });
  other = await makeMunicipality(database.db, { districts: ["north"] });
  staff = await makeMember(database.db, { by: town.admin, email: `staff@${town.municipality.slug}.example` });
});
afterAll(() => database.close());

type Outcome = { errors: Record<string, string> | null; values: Record<string, string>; done?: string };

async function post(user: { id: string }, fields: Record<string, string>, locale = "en") {
  const browser = await signIn(database.db, user);
  const slug = town.municipality.slug;
  const request = browser.post(`/m/${slug}/admin/map`, { intent: "tiles", ...fields });
  request.headers.set("accept-language", locale);
  return call(mapAdmin.action, browser, request, { slug });
}

async function stored() {
  const [row] = await database.db
    .select({ url: municipalities.mapTileUrl, attribution: municipalities.mapTileAttribution })
    .from(municipalities)
    .where(eq(municipalities.id, town.municipality.id));
  return row;
}

async function tileLog() {
  return database.db
    .select()
    .from(actionLog)
    .where(and(eq(actionLog.municipalityId, town.municipality.id), eq(actionLog.action, "map.tiles")))
    .orderBy(actionLog.seq);
}

const URL_OK = "https://tiles.example.org/{z}/{x}/{y}.png";
const OSM = "© OpenStreetMap contributors";

describe("the tiles intent of the map page", () => {
  it.each([
    ["an http address", { tileUrl: "http://tiles.example.org/{z}/{x}/{y}.png", attribution: OSM }, "tileUrl", /https/],
    [
      "an address without {z}",
      { tileUrl: "https://tiles.example.org/{x}/{y}.png", attribution: OSM },
      "tileUrl",
      /{z}/,
    ],
    ["no attribution", { tileUrl: URL_OK, attribution: "  " }, "attribution", /attribution the tile provider/],
    ["a too long attribution", { tileUrl: URL_OK, attribution: "x".repeat(201) }, "attribution", /200 characters/],
  ])("refuses %s with the field named, keeps what was typed and writes nothing", async (_, fields, field, message) => {
    const before = { row: await stored(), log: (await tileLog()).length };
    const response = await post(town.admin.user, fields);
    expect(response.status).toBe(400);
    const body = (await response.json()) as Outcome;
    expect(Object.keys(body.errors ?? {})).toEqual([field]);
    expect(body.errors?.[field]).toMatch(message);
    expect(body.values).toMatchObject(fields);
    expect(await stored()).toEqual(before.row);
    expect((await tileLog()).length).toBe(before.log);
  });

  it("says the refusal in Persian too", async () => {
    const response = await post(town.admin.user, { tileUrl: URL_OK, attribution: "" }, "fa");
    expect(response.status).toBe(400);
    expect(((await response.json()) as Outcome).errors?.attribution).toMatch(/نام‌بردی را که کاشی‌سرور می‌خواهد/);
  });

  it("refuses staff who are not administrators, and residents, with 403, writing nothing", async () => {
    const resident = await makeUser(database.db, { email: `r@${town.municipality.slug}.example` });
    const before = { row: await stored(), log: (await tileLog()).length };
    for (const user of [staff.user, resident]) {
      const response = await post(user, { tileUrl: URL_OK, attribution: OSM });
      expect(response.status).toBe(403);
    }
    expect(await stored()).toEqual(before.row);
    expect((await tileLog()).length).toBe(before.log);
  });

  it("stores a good address and attribution, logs before and after, and shows them back", async () => {
    const response = await post(town.admin.user, { tileUrl: ` ${URL_OK} `, attribution: `  ${OSM}\n` });
    expect(response.status).toBe(200);
    expect(((await response.json()) as Outcome).done).toBe("The street map is saved.");
    expect(await stored()).toEqual({ url: URL_OK, attribution: OSM });
    const log = await tileLog();
    expect(log.at(-1)?.summary).toEqual({
      before: { url: null, attribution: null },
      after: { url: URL_OK, attribution: OSM },
    });
    expect(log.at(-1)?.actorId).toBe(town.admin.user.id);
    const browser = await signIn(database.db, town.admin.user);
    const slug = town.municipality.slug;
    const page = await call(mapAdmin.loader, browser, browser.get(`/m/${slug}/admin/map`), { slug });
    expect(await page.json()).toMatchObject({ tiles: { url: URL_OK, attribution: OSM }, isAdmin: true });
    // Staff read the setting without a form to change it.
    const staffBrowser = await signIn(database.db, staff.user);
    const staffPage = await call(mapAdmin.loader, staffBrowser, staffBrowser.get(`/m/${slug}/admin/map`), { slug });
    expect(await staffPage.json()).toMatchObject({ tiles: { url: URL_OK }, isAdmin: false });
  });

  it("clears address and attribution together with an empty address, logged", async () => {
    const response = await post(town.admin.user, { tileUrl: "", attribution: OSM });
    expect(response.status).toBe(200);
    expect(((await response.json()) as Outcome).done).toBe("There is no street map now.");
    expect(await stored()).toEqual({ url: null, attribution: null });
    expect((await tileLog()).at(-1)?.summary).toEqual({
      before: { url: URL_OK, attribution: OSM },
      after: { url: null, attribution: null },
    });
  });
});

describe("the image source of the municipality's pages", () => {
  it("names the tile host for that municipality's pages only, changed at once by this process", async () => {
    await setMapTileUrl(database.db, town.admin, { url: URL_OK, attribution: OSM });
    expect(await tileImageSourceOf(database.db, town.municipality.slug)).toBe("https://tiles.example.org");
    expect(await tileImageSourceOf(database.db, other.municipality.slug)).toBeNull();
    expect(await tileImageSourceOf(database.db, null)).toBeNull();
    await setMapTileUrl(database.db, town.admin, {
      url: "https://{s}.other-tiles.example.org/{z}/{x}/{y}.png",
      attribution: OSM,
    });
    expect(await tileImageSourceOf(database.db, town.municipality.slug)).toBe("https://*.other-tiles.example.org");
    await setMapTileUrl(database.db, town.admin, { url: null });
    expect(await tileImageSourceOf(database.db, town.municipality.slug)).toBeNull();
  });
});

describe("the round map's street map data", () => {
  it("carries outlines and points in degrees only when a tile server is set", async () => {
    await importDistrictBoundaries(database.db, town.admin, { text: DISTRICTS });
    const round = await makeRound(database.db, { by: town.admin, phase: "proposals" });
    const envelope = await makeEnvelope(database.db, { by: town.admin, round, amount: 100_000 });
    const placed = await makeProposal(database.db, { by: town.admin, round, envelope, title: { en: "Lamps" } });
    await setProposalPoint(database.db, town.admin, {
      roundSlug: round.slug,
      proposalId: placed,
      point: { kind: "point", lat: 35.75, lon: 51.35 },
    });
    const view = async () => {
      const [row] = await database.db.select().from(municipalities).where(eq(municipalities.id, town.municipality.id));
      const scope = scopeOf(row, observer);
      const found = await publicRound(database.db, scope, { slug: round.slug, filters: {} });
      return roundMapView(database.db, scope, {
        envelopes: found?.envelopes ?? [],
        districts: await districtsOf(database.db, scope),
      });
    };
    await setMapTileUrl(database.db, town.admin, { url: null });
    expect((await view())?.street).toBeNull();
    await setMapTileUrl(database.db, town.admin, { url: URL_OK, attribution: OSM });
    const street = (await view())?.street;
    expect(street).toMatchObject({
      tileUrl: URL_OK,
      attribution: OSM,
      points: [{ id: placed, lat: 35.75, lon: 51.35 }],
    });
    expect(street?.districts.map((d) => d.coordinates)).toEqual([SQUARE(51.3, 35.7)]);
  });
});
