import { readFileSync } from "node:fs";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { actionLog, districts, mapAddresses, proposals } from "../../db/schema";
import {
  type AddressesRefused,
  type GeoJsonRefused,
  importAddresses,
  importDistrictBoundaries,
  districtsDrawing,
  roundMap,
  setMapTileUrl,
  setProposalPoint,
} from "../../app/services/geo/maps.server";
import { RefusedError } from "../../app/services/errors.server";
import { scopeOf, userActor } from "../../app/services/scope";
import { publicRound } from "../../app/services/rounds/rounds.server";
import { testDatabase } from "../support/db";
import {
  type Envelope,
  type Member,
  type Round,
  type Town,
  makeEnvelope,
  makeMember,
  makeMunicipality,
  makeProposal,
  makeRound,
  makeUser,
} from "../support/factories";
import type { SessionUser } from "../../app/web/session.server";
import * as mapAdmin from "../../app/routes/m.$slug.admin.map";
import * as pointPage from "../../app/routes/m.$slug.rounds.$round.proposals.$proposal_.point";
import * as propose from "../../app/routes/m.$slug.rounds.$round.propose";
import * as districtsSvg from "../../app/routes/m.$slug.districts[.svg]";
import { TestBrowser, call } from "../support/requests";
import { signIn } from "../support/factories";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/geo/${name}`, import.meta.url), "utf8");

let database: Database;
let town: Town;
let staff: Member;
let resident: SessionUser;
let other: SessionUser;
let round: Round;
let envelope: Envelope;

beforeAll(async () => {
  database = await testDatabase();
  town = await makeMunicipality(database.db, { districts: ["north"] });
  staff = await makeMember(database.db, { by: town.admin, email: `staff@${town.municipality.slug}.example` });
  resident = await makeUser(database.db, { email: `r@${town.municipality.slug}.example` });
  other = await makeUser(database.db, { email: `o@${town.municipality.slug}.example` });
  round = await makeRound(database.db, { by: town.admin, phase: "proposals" });
  envelope = await makeEnvelope(database.db, { by: town.admin, round, amount: 100_000 });
});
afterAll(() => database.close());

async function expectRefusal(promise: Promise<unknown>, code: string) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RefusedError);
  expect((error as RefusedError).code).toBe(code);
  return error as RefusedError;
}

describe("districts uploaded as GeoJSON", () => {
  it("refuses a self-intersecting polygon with the feature named, and changes nothing", async () => {
    const error = await expectRefusal(
      importDistrictBoundaries(database.db, staff, { text: fixture("bowtie.geojson") }),
      "geojson_invalid",
    );
    expect((error as GeoJsonRefused).problems).toMatchObject([{ code: "self_intersection", feature: 1, key: "east" }]);
    const rows = await database.db.select().from(districts).where(eq(districts.municipalityId, town.municipality.id));
    expect(rows.map((r) => [r.code, r.boundary])).toEqual([["north", null]]);
  });

  it("stores outlines on matching districts, creates the others, and logs it", async () => {
    const result = await importDistrictBoundaries(database.db, staff, { text: fixture("districts.geojson") });
    expect(result).toEqual({ updated: ["north"], created: ["south"] });
    const rows = await database.db
      .select()
      .from(districts)
      .where(eq(districts.municipalityId, town.municipality.id))
      .orderBy(districts.position);
    expect(rows.map((r) => r.code)).toEqual(["north", "south"]);
    expect(rows[0]?.name).toEqual({ en: "north", fa: "north" }); // an existing district keeps its name
    expect(rows[1]?.name).toEqual({ en: "South" });
    expect(rows[0]?.boundary?.[0]).toHaveLength(2);
    expect(rows[1]?.boundary).toHaveLength(2);
    const [entry] = await database.db
      .select()
      .from(actionLog)
      .where(and(eq(actionLog.municipalityId, town.municipality.id), eq(actionLog.action, "map.districts")));
    expect(entry?.summary).toEqual({ after: { updated: ["north"], created: ["south"] } });
  });
});

describe("the districts upload page", () => {
  it("refuses a self-intersecting polygon with a message naming the feature, in English and Persian", async () => {
    const browser = await signIn(database.db, staff.user);
    const slug = town.municipality.slug;
    for (const [locale, expected] of [
      [
        "en",
        /Feature 1 \(east\): polygon 1, ring 1: the outline crosses itself near longitude 51\.35, latitude 35\.7\./,
      ],
      ["fa", /عارضهٔ ۱ \(east\): چندضلعی ۱، حلقهٔ ۱: مرز نزدیک طول ۵۱٫۳۵ و عرض ۳۵٫۷ خودش را قطع می‌کند\./],
    ] as const) {
      const request = browser.postMultipart(
        `/m/${slug}/admin/map`,
        { intent: "districts", keyProperty: "code" },
        { file: { name: "bowtie.geojson", text: fixture("bowtie.geojson"), type: "application/geo+json" } },
      );
      request.headers.set("accept-language", locale);
      const response = await call(mapAdmin.action, browser, request, { slug });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: { file: string } };
      expect(body.errors.file).toMatch(expected);
    }
  });
});

describe("a proposal's point", () => {
  let mine: string;
  beforeAll(async () => {
    mine = await makeProposal(database.db, {
      by: town.admin,
      round,
      envelope,
      title: { en: "Benches" },
      author: resident,
      status: "submitted",
    });
  });
  const residentScope = () => scopeOf(town.municipality, userActor(resident));

  it("is set by the author inside a district, which becomes the proposal's district", async () => {
    const result = await setProposalPoint(database.db, residentScope(), {
      roundSlug: round.slug,
      proposalId: mine,
      point: { kind: "point", lat: 35.73, lon: 51.32 },
    });
    const [row] = await database.db.select().from(proposals).where(eq(proposals.id, mine));
    expect([row?.pointLat, row?.pointLon]).toEqual([35.73, 51.32]);
    expect(row?.districtId).toBe(town.districts.north);
    expect(result.districtId).toBe(town.districts.north);
  });

  it("is refused outside every district, in a hole, and in another district than the proposal's", async () => {
    for (const point of [
      { lat: 35.9, lon: 51.32 },
      { lat: 35.76, lon: 51.39 }, // the hole in north
    ]) {
      await expectRefusal(
        setProposalPoint(database.db, residentScope(), {
          roundSlug: round.slug,
          proposalId: mine,
          point: { kind: "point", ...point },
        }),
        "point_outside",
      );
    }
    const error = await expectRefusal(
      setProposalPoint(database.db, residentScope(), {
        roundSlug: round.slug,
        proposalId: mine,
        point: { kind: "point", lat: 35.68, lon: 51.35 },
      }),
      "point_other_district",
    );
    expect(error.params.district).toBe(town.districts.north);
    const [row] = await database.db.select().from(proposals).where(eq(proposals.id, mine));
    expect([row?.pointLat, row?.pointLon]).toEqual([35.73, 51.32]);
  });

  it("is refused to someone else than the author, unless staff, who are logged", async () => {
    await expectRefusal(
      setProposalPoint(database.db, scopeOf(town.municipality, userActor(other)), {
        roundSlug: round.slug,
        proposalId: mine,
        point: null,
      }),
      "point_not_yours",
    );
    await setProposalPoint(database.db, staff, {
      roundSlug: round.slug,
      proposalId: mine,
      point: { kind: "point", lat: 35.74, lon: 51.33 },
    });
    const entries = await database.db
      .select()
      .from(actionLog)
      .where(and(eq(actionLog.municipalityId, town.municipality.id), eq(actionLog.action, "proposal.point")));
    expect(entries).toHaveLength(1);
    expect(entries[0]?.target).toBe(`proposal:${mine}`);
  });

  it("is picked by a click on the districts picture, which the point form shows (no JavaScript needed)", async () => {
    const slug = town.municipality.slug;
    const picture = await call(
      districtsSvg.loader,
      new TestBrowser(database.db),
      new TestBrowser(database.db).get(`/m/${slug}/districts.svg?lang=en`),
      { slug },
    );
    expect(picture.status).toBe(200);
    expect(picture.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    expect(await picture.text()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);

    const drawing = await districtsDrawing(database.db, residentScope());
    if (!drawing) throw new Error("no districts drawing");
    const { frame } = drawing;
    // Where (35.735, 51.325), inside north, is drawn: the browser sends whole units.
    const x = Math.round(frame.width / 2 + (51.325 - frame.midLon) * frame.kx * frame.scale);
    const y = Math.round(frame.height / 2 - (35.735 - frame.midLat) * frame.scale);
    const author = await signIn(database.db, resident);
    const path = `/m/${slug}/rounds/${round.slug}/proposals/${mine}/point`;
    const params = { slug, round: round.slug, proposal: mine };
    const page = await call(pointPage.loader, author, author.get(path), params);
    expect(((await page.json()) as { picture: { width: number } }).picture.width).toBe(drawing.width);
    const picked = await call(
      pointPage.action,
      author,
      author.post(path, { intent: "pick", "at.x": String(x), "at.y": String(y) }),
      params,
    );
    expect(picked.status).toBe(302);
    expect(picked.headers.get("location")).toBe(`${path}?saved=1`);
    const [row] = await database.db.select().from(proposals).where(eq(proposals.id, mine));
    expect(Math.abs((row?.pointLat ?? 0) - 35.735)).toBeLessThan(1 / frame.scale);
    expect(Math.abs((row?.pointLon ?? 0) - 51.325)).toBeLessThan(1 / (frame.kx * frame.scale));
    expect(row?.districtId).toBe(town.districts.north);

    // Off the picture, or not a spot at all: a clear 400 naming the map, and the point stays.
    for (const spot of [
      { "at.x": String(drawing.width + 5), "at.y": "1" },
      { "at.x": "-3", "at.y": "10" },
      { "at.x": "12px", "at.y": "10" },
    ]) {
      const refused = await call(pointPage.action, author, author.post(path, { intent: "pick", ...spot }), params);
      expect(refused.status).toBe(400);
      const body = (await refused.json()) as { errors: Record<string, string> };
      expect(Object.keys(body.errors)).toEqual(["at.x"]);
    }
    const [after] = await database.db.select().from(proposals).where(eq(proposals.id, mine));
    expect([after?.pointLat, after?.pointLon]).toEqual([row?.pointLat, row?.pointLon]);
  });

  it("may be given on the form that files the proposal, in the same transaction, or refused with nothing filed", async () => {
    const slug = town.municipality.slug;
    const author = await signIn(database.db, other);
    const params = { slug, round: round.slug };
    const fields = { envelopeSlug: envelope.slug, titleEn: "Lamp by the school", bodyEn: "One lamp", cost: "900" };
    const count = async () =>
      (await database.db.select().from(proposals).where(eq(proposals.envelopeId, envelope.id))).length;
    const before = await count();
    for (const [where, field] of [
      [{ pointLat: "35.9", pointLon: "51.32" }, "pointLat"], // outside every district
      [{ pointLat: "north", pointLon: "51.32" }, "pointLat"], // not degrees
      [{ pointAddress: "No such street 1" }, "pointAddress"], // not on the municipality's list
    ] as const) {
      const refused = await call(propose.action, author, author.post("/", { ...fields, ...where }), params);
      expect(refused.status).toBe(400);
      const body = (await refused.json()) as { errors: Record<string, string>; values: Record<string, string> };
      expect(Object.keys(body.errors)).toEqual([field]);
      // What was typed comes back.
      expect(body.values.titleEn).toBe("Lamp by the school");
      for (const [k, v] of Object.entries(where)) expect(body.values[k]).toBe(v);
    }
    expect(await count()).toBe(before);
    const filed = await call(
      propose.action,
      author,
      author.post("/", { ...fields, pointLat: "۳۵٫۷۳۲", pointLon: "51.321" }),
      params,
    );
    expect(filed.status).toBe(302);
    const id = (filed.headers.get("location") ?? "").split("/").pop() ?? "";
    const [row] = await database.db.select().from(proposals).where(eq(proposals.id, id));
    expect([row?.pointLat, row?.pointLon, row?.districtId]).toEqual([35.732, 51.321, town.districts.north]);
  });

  it("may be an address of the municipality's list, typed in any spelling of its letters", async () => {
    await expectRefusal(
      importAddresses(database.db, staff, { text: "address,lat,lon\nFar away,40.0,51.3\n" }),
      "addresses_invalid",
    );
    const refused = await expectRefusal(
      importAddresses(database.db, staff, { text: "place,lat,lon\n" }),
      "addresses_invalid",
    );
    expect((refused as AddressesRefused).problems).toEqual([{ code: "header", line: 1 }]);
    const { count } = await importAddresses(database.db, staff, {
      text: "address,lat,lon\nخیابان کوثر ۱۲,35.735,51.335\n12 Park Lane,35.78,51.45\n",
    });
    expect(count).toBe(2);
    await setProposalPoint(database.db, residentScope(), {
      roundSlug: round.slug,
      proposalId: mine,
      point: { kind: "address", address: "  خيابان كوثر 12 " },
    });
    const [row] = await database.db.select().from(proposals).where(eq(proposals.id, mine));
    expect([row?.pointLat, row?.pointLon]).toEqual([35.735, 51.335]);
    await expectRefusal(
      setProposalPoint(database.db, residentScope(), {
        roundSlug: round.slug,
        proposalId: mine,
        point: { kind: "address", address: "Nowhere street" },
      }),
      "address_unknown",
    );
    const stored = await database.db
      .select()
      .from(mapAddresses)
      .where(eq(mapAddresses.municipalityId, town.municipality.id));
    expect(stored).toHaveLength(2);
  });
});

describe("the round's map", () => {
  it("draws the mapped districts and the placed proposals the filters let through", async () => {
    const placed = await makeProposal(database.db, { by: town.admin, round, envelope, title: { en: "Lamps" } });
    await setProposalPoint(database.db, staff, {
      roundSlug: round.slug,
      proposalId: placed,
      point: { kind: "point", lat: 35.68, lon: 51.35 },
    });
    await makeProposal(database.db, { by: town.admin, round, envelope, title: { en: "Unplaced" } });
    const scope = scopeOf(town.municipality, userActor(other));
    const found = await publicRound(database.db, scope, { slug: round.slug, filters: { q: "Lamps" } });
    const shown = found!.envelopes.flatMap((e) => e.proposals);
    const map = await roundMap(database.db, scope, { proposals: shown });
    expect(map?.districts.map((d) => d.code)).toEqual(["north", "south"]);
    expect(map?.drawing.points.map((p) => p.id)).toEqual([placed]);
    expect(map?.drawing.districts).toHaveLength(2);
    expect(map?.tileUrl).toBeNull();
  });

  it("takes a tile server only over https with its placeholders, and its attribution", async () => {
    await expectRefusal(
      setMapTileUrl(database.db, town.admin, { url: "http://tiles.example/{z}/{x}/{y}.png" }),
      "tile_url",
    );
    await expectRefusal(setMapTileUrl(database.db, town.admin, { url: "https://tiles.example/tile.png" }), "tile_url");
    // The attribution the provider requires comes with it (ADR 0035).
    await expectRefusal(
      setMapTileUrl(database.db, town.admin, { url: "https://tiles.example/{z}/{x}/{y}.png" }),
      "tile_attribution",
    );
    await setMapTileUrl(database.db, town.admin, {
      url: "https://tiles.example/{z}/{x}/{y}.png",
      attribution: "© OpenStreetMap contributors",
    });
  });
});
