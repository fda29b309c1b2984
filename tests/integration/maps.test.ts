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
import { call } from "../support/requests";
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

  it("takes a tile server only over https with its placeholders", async () => {
    await expectRefusal(
      setMapTileUrl(database.db, town.admin, { url: "http://tiles.example/{z}/{x}/{y}.png" }),
      "tile_url",
    );
    await expectRefusal(setMapTileUrl(database.db, town.admin, { url: "https://tiles.example/tile.png" }), "tile_url");
    await setMapTileUrl(database.db, town.admin, { url: "https://tiles.example/{z}/{x}/{y}.png" });
  });
});
