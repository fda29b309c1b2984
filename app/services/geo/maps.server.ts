/**
 * Maps of a municipality: district outlines uploaded as GeoJSON, the addresses it knows, a proposal's
 * point (inside the municipality, in its district), and the drawing of a round's proposals (ADR 0035).
 */
import { randomUUID } from "node:crypto";
import { and, asc, eq, isNotNull, like, max } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { districts, mapAddresses, municipalities, phases, proposals } from "../../../db/schema";
import { type AddressProblem, foldAddress, readAddressesCsv } from "../../domain/geo/addresses";
import {
  type GeoProblem,
  type MultiPolygonCoords,
  containsPoint,
  readDistrictsGeoJson,
} from "../../domain/geo/geojson";
import { type MapDrawing, type StreetMapData, drawMap } from "../../domain/geo/projection";
import { currentPhase, dayIn } from "../../domain/rounds/phases";
import { actionBy, recordAction } from "../action-log/action-log.server";
import { RefusedError } from "../errors.server";
import { findRound, proposalInRound } from "../rounds/rounds-admin.server";
import { type Scope, actorUserId } from "../scope";
import { districtsOf, roleIn } from "../tenancy/municipality.server";

export type MapRefusal =
  | "geojson_invalid"
  | "addresses_invalid"
  | "proposal_not_found"
  | "point_not_yours"
  | "point_closed"
  | "point_no_map"
  | "point_outside"
  | "point_other_district"
  | "address_unknown"
  | "tile_url"
  | "tile_attribution"
  | "tile_attribution_long"
  | "file_missing"
  | "file_encoding";

/** A districts file refused: every problem found (up to a few dozen), each naming its feature. */
export class GeoJsonRefused extends RefusedError<"geojson_invalid"> {
  constructor(readonly problems: GeoProblem[]) {
    super("geojson_invalid", "file", { count: problems.length }, problems[0]?.code === "too_large" ? 413 : 400);
  }
}

/** An addresses file refused, with the lines concerned. */
export class AddressesRefused extends RefusedError<"addresses_invalid"> {
  constructor(readonly problems: AddressProblem[]) {
    super("addresses_invalid", "file", { count: problems.length }, problems[0]?.code === "too_large" ? 413 : 400);
  }
}

/**
 * Staff upload the districts' outlines: each feature's `keyProperty` names a district by its code;
 * an unknown code creates the district (named from `name_en`/`name`, `name_fa`). Districts not in
 * the file keep their outlines. All or nothing, in one transaction, logged.
 */
export async function importDistrictBoundaries(
  db: Db,
  scope: Scope,
  input: { text: string; keyProperty?: string; now?: Date },
) {
  const read = readDistrictsGeoJson(input.text, input.keyProperty || "code");
  if (!read.ok) throw new GeoJsonRefused(read.problems);
  const now = input.now ?? new Date();
  return db.transaction(async (tx) => {
    const existing = await districtsOf(tx, scope);
    const byCode = new Map(existing.map((d) => [d.code, d]));
    const [top] = await tx
      .select({ position: max(districts.position) })
      .from(districts)
      .where(eq(districts.municipalityId, scope.municipality.id));
    let position = (top?.position ?? -1) + 1;
    const updated: string[] = [];
    const created: string[] = [];
    for (const shape of read.districts) {
      const found = byCode.get(shape.key);
      if (found) {
        await tx.update(districts).set({ boundary: shape.coordinates }).where(eq(districts.id, found.id));
        updated.push(shape.key);
      } else {
        const name: { en: string; fa?: string } = { en: shape.name.en ?? shape.key };
        if (shape.name.fa) name.fa = shape.name.fa;
        await tx.insert(districts).values({
          id: randomUUID(),
          municipalityId: scope.municipality.id,
          code: shape.key,
          name,
          position: position++,
          boundary: shape.coordinates,
        });
        created.push(shape.key);
      }
    }
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "map.districts",
      target: `municipality:${scope.municipality.slug}`,
      after: { updated, created },
      at: now,
    });
    return { updated, created };
  });
}

/** Staff replace the list of addresses residents may type (CSV `address,lat,lon`); each must lie in a district. */
export async function importAddresses(db: Db, scope: Scope, input: { text: string; now?: Date }) {
  const read = readAddressesCsv(input.text);
  if (!read.ok) throw new AddressesRefused(read.problems);
  const now = input.now ?? new Date();
  return db.transaction(async (tx) => {
    const shapes = (await districtsOf(tx, scope)).flatMap((d) => (d.boundary ? [d.boundary] : []));
    const outside = read.rows.findIndex((r) => !shapes.some((s) => containsPoint(s, r.lon, r.lat)));
    if (outside !== -1) {
      // The header is line 1; rows follow in order (a row spanning lines is rare in an address list).
      throw new AddressesRefused([{ code: "outside", line: outside + 2 }]);
    }
    await tx.delete(mapAddresses).where(eq(mapAddresses.municipalityId, scope.municipality.id));
    for (let i = 0; i < read.rows.length; i += 1000) {
      await tx
        .insert(mapAddresses)
        .values(read.rows.slice(i, i + 1000).map((r) => ({ municipalityId: scope.municipality.id, ...r })));
    }
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "map.addresses",
      target: `municipality:${scope.municipality.slug}`,
      after: { addresses: read.rows.length },
      at: now,
    });
    return { count: read.rows.length };
  });
}

/** A few known addresses starting like the typed text (suggestions after a miss). */
export async function addressesLike(db: Db, scope: Scope, input: { text: string }) {
  const key = foldAddress(input.text).slice(0, 60);
  if (key.length < 2) return [];
  const rows = await db
    .select({ label: mapAddresses.label })
    .from(mapAddresses)
    .where(
      and(
        eq(mapAddresses.municipalityId, scope.municipality.id),
        like(mapAddresses.key, `${key.split(" ")[0]?.replace(/[\\%_]/g, "\\$&")}%`),
      ),
    )
    .orderBy(asc(mapAddresses.key))
    .limit(5);
  return rows.map((r) => r.label);
}

export async function addressCount(db: Db, scope: Scope) {
  const rows = await db
    .select({ key: mapAddresses.key })
    .from(mapAddresses)
    .where(eq(mapAddresses.municipalityId, scope.municipality.id))
    .limit(1);
  return rows.length;
}

export type PointInput = { kind: "point"; lat: number; lon: number } | { kind: "address"; address: string } | null;

/** What a form may offer to place a proposal: points (when districts have outlines) and known addresses. */
export async function placeOptions(db: Db, scope: Scope): Promise<{ points: boolean; addresses: boolean }> {
  const points = (await districtsOf(db, scope)).some((d) => d.boundary !== null);
  return { points, addresses: points && (await addressCount(db, scope)) > 0 };
}

const POINT_REFUSALS: readonly string[] = ["point_no_map", "point_outside", "point_other_district", "address_unknown"];

/** A refusal of where a proposal is (the form names the field it came from). */
export function isPointRefusal(error: unknown): error is RefusedError<MapRefusal> {
  return error instanceof RefusedError && POINT_REFUSALS.includes(error.code);
}

/**
 * Where a typed point or an address of the municipality's list is, and the district that holds it.
 * Refused when there is no map, outside every district, or in another district than `districtId`
 * (its id in the refusal: the route names it in the reader's language).
 */
export async function placePoint(
  db: Db,
  scope: Scope,
  input: { point: NonNullable<PointInput>; districtId: string | null },
): Promise<{ lat: number; lon: number; districtId: string }> {
  let point: { lat: number; lon: number };
  if (input.point.kind === "address") {
    const [known] = await db
      .select()
      .from(mapAddresses)
      .where(
        and(
          eq(mapAddresses.municipalityId, scope.municipality.id),
          eq(mapAddresses.key, foldAddress(input.point.address)),
        ),
      );
    if (!known) throw new RefusedError<MapRefusal>("address_unknown", "address");
    point = { lat: known.lat, lon: known.lon };
  } else {
    point = { lat: input.point.lat, lon: input.point.lon };
  }
  const field = input.point.kind === "address" ? "address" : "lat";
  const mapped = (await districtsOf(db, scope)).filter(
    (d): d is typeof d & { boundary: MultiPolygonCoords } => d.boundary !== null,
  );
  if (mapped.length === 0) throw new RefusedError<MapRefusal>("point_no_map", field, {}, 409);
  const within = mapped.find((d) => containsPoint(d.boundary, point.lon, point.lat));
  if (!within) throw new RefusedError<MapRefusal>("point_outside", field);
  if (input.districtId && input.districtId !== within.id)
    throw new RefusedError<MapRefusal>("point_other_district", field, { district: input.districtId });
  return { ...point, districtId: within.id };
}

/**
 * Places a proposal (or takes it off the map, with null). The author may while it awaits review in
 * the proposals phase; staff may at any time (logged). The point must lie in one of the municipality's
 * districts, and in the proposal's district if it has one; a proposal without a district gets the one
 * its point lies in.
 */
export async function setProposalPoint(
  db: Db,
  scope: Scope,
  input: { roundSlug: string; proposalId: string; point: PointInput; now?: Date },
) {
  const now = input.now ?? new Date();
  const round = await findRound(db, scope, { slug: input.roundSlug });
  if (!round) throw new RefusedError<MapRefusal>("proposal_not_found", null, {}, 404);
  const proposal = await proposalInRound(db, scope, { roundId: round.id, proposalId: input.proposalId }).catch(
    () => null,
  );
  if (!proposal) throw new RefusedError<MapRefusal>("proposal_not_found", null, {}, 404);
  const role = await roleIn(db, scope);
  if (!role) {
    if (proposal.authorId !== actorUserId(scope)) throw new RefusedError<MapRefusal>("point_not_yours", null, {}, 403);
    const phaseRows = await db.select().from(phases).where(eq(phases.roundId, round.id));
    const phase = currentPhase(phaseRows, dayIn(scope.municipality.timeZone, now))?.kind ?? null;
    if (phase !== "proposals" || proposal.status !== "submitted") {
      throw new RefusedError<MapRefusal>("point_closed", null, {}, 409);
    }
  }
  let point: { lat: number; lon: number } | null = null;
  let districtId = proposal.districtId;
  if (input.point) {
    const placed = await placePoint(db, scope, { point: input.point, districtId });
    point = { lat: placed.lat, lon: placed.lon };
    districtId = placed.districtId;
  }
  await db.transaction(async (tx) => {
    await tx
      .update(proposals)
      .set({ pointLat: point?.lat ?? null, pointLon: point?.lon ?? null, districtId, updatedAt: now })
      .where(eq(proposals.id, proposal.id));
    if (role) {
      await recordAction(tx, {
        ...(await actionBy(tx, scope)),
        action: "proposal.point",
        target: `proposal:${proposal.id}`,
        roundId: round.id,
        before: { lat: proposal.pointLat, lon: proposal.pointLon },
        after: point ?? { lat: null, lon: null },
        at: now,
      });
    }
  });
  return { point, districtId };
}

/** The longest attribution a tile provider may require shown (a line under the map). */
export const TILE_ATTRIBUTION_MAX = 200;

/**
 * The municipality's street-map tile server and the attribution its provider requires, set by its
 * administrator: https, with {z}, {x} and {y} (and optionally {s} as the host's first label, {r}),
 * and a plain-text attribution of at most 200 characters. An empty address clears both. Logged;
 * this process's pages allow the new tile host in their `img-src` at once (`tileImageSource`).
 */
export async function setMapTileUrl(
  db: Db,
  scope: Scope,
  input: { url: string | null; attribution?: string | null; now?: Date },
) {
  const url = input.url?.trim() || null;
  const attribution = url === null ? null : input.attribution?.replace(/\s+/g, " ").trim() || null;
  if (url !== null && !tileUrlValid(url)) throw new RefusedError<MapRefusal>("tile_url", "tileUrl");
  if (url !== null && attribution === null) throw new RefusedError<MapRefusal>("tile_attribution", "attribution");
  if (attribution !== null && attribution.length > TILE_ATTRIBUTION_MAX)
    throw new RefusedError<MapRefusal>("tile_attribution_long", "attribution", { max: TILE_ATTRIBUTION_MAX });
  await db.transaction(async (tx) => {
    await tx
      .update(municipalities)
      .set({ mapTileUrl: url, mapTileAttribution: attribution })
      .where(eq(municipalities.id, scope.municipality.id));
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "map.tiles",
      target: `municipality:${scope.municipality.slug}`,
      before: { url: scope.municipality.mapTileUrl, attribution: scope.municipality.mapTileAttribution },
      after: { url, attribution },
      at: input.now,
    });
  });
  tileSourceCache.delete(db);
}

const TILE_PLACEHOLDERS = new Set(["{z}", "{x}", "{y}", "{s}", "{r}"]);

export function tileUrlValid(url: string): boolean {
  if (url.length > 300 || !["{z}", "{x}", "{y}"].every((p) => url.includes(p))) return false;
  // Only what Leaflet fills in; {s} (the provider's a/b/c servers) only as the host's first label,
  // which the page's `img-src` then allows as *.host.
  if (!(url.match(/\{[^}]*\}/g) ?? []).every((p) => TILE_PLACEHOLDERS.has(p))) return false;
  if (url.includes("{s}") && !url.startsWith("https://{s}.")) return false;
  return tileImageSource(url) !== null;
}

/**
 * The source a page's `img-src` names for a tile URL template: its origin, `https://*.host` when the
 * host starts with {s}; null when it is not an https URL without user name or password.
 */
export function tileImageSource(url: string): string | null {
  try {
    const parsed = new URL(url.replace("{s}", "s").replace(/\{[a-z]\}/g, "0"));
    if (parsed.protocol !== "https:" || parsed.username || parsed.password) return null;
    return url.startsWith("https://{s}.") ? `https://*.${parsed.host.slice(2)}` : parsed.origin;
  } catch {
    return null;
  }
}

/**
 * The tile host a municipality's pages may load images from (their `img-src`), by its slug: every
 * municipality's, kept for five seconds per database (a page render must not cost a query), forgotten
 * at once by the process that changes one; another process allows a new host within five seconds
 * (as the e-ID issuers of `form-action`, ADR 0038).
 */
export async function tileImageSourceOf(db: Db, slug: string | null): Promise<string | null> {
  if (!slug) return null;
  let cached = tileSourceCache.get(db);
  if (!cached || cached.until <= Date.now()) {
    const rows = await db
      .select({ slug: municipalities.slug, url: municipalities.mapTileUrl })
      .from(municipalities)
      .where(isNotNull(municipalities.mapTileUrl));
    const sources = new Map<string, string>();
    for (const row of rows) {
      const source = row.url ? tileImageSource(row.url) : null;
      if (source) sources.set(row.slug, source);
    }
    cached = { sources, until: Date.now() + TILE_SOURCE_CACHE_MS };
    tileSourceCache.set(db, cached);
  }
  return cached.sources.get(slug) ?? null;
}

const TILE_SOURCE_CACHE_MS = 5_000;
const tileSourceCache = new WeakMap<object, { sources: Map<string, string>; until: number }>();

/** A proposal as a round's map needs it: where, and what its marker links to. */
export interface MapProposal {
  id: string;
  pointLat: number | null;
  pointLon: number | null;
}

/**
 * The drawing of a round's map for the proposals given (already filtered like the list): every mapped
 * district's outline and the proposals that have a point; null when the municipality has no map.
 * With a tile server set, `street` carries the same in degrees for the street map (ADR 0035).
 */
export async function roundMap(
  db: Db,
  scope: Scope,
  input: { proposals: MapProposal[] },
): Promise<{
  drawing: MapDrawing;
  districts: { id: string; code: string }[];
  tileUrl: string | null;
  street: StreetMapData | null;
} | null> {
  const mapped = (await districtsOf(db, scope)).filter((d) => d.boundary !== null);
  const placed = input.proposals.flatMap((p) =>
    p.pointLat !== null && p.pointLon !== null ? [{ id: p.id, lat: p.pointLat, lon: p.pointLon }] : [],
  );
  if (mapped.length === 0 && placed.length === 0) return null;
  const outlines = mapped.map((d) => ({ id: d.id, coordinates: d.boundary as MultiPolygonCoords }));
  const drawing = drawMap({ districts: outlines, points: placed });
  if (!drawing) return null;
  const { mapTileUrl, mapTileAttribution } = scope.municipality;
  return {
    drawing,
    districts: mapped.map((d) => ({ id: d.id, code: d.code })),
    tileUrl: mapTileUrl,
    street: mapTileUrl
      ? { tileUrl: mapTileUrl, attribution: mapTileAttribution ?? "", districts: outlines, points: placed }
      : null,
  };
}

/**
 * The municipality's districts drawn alone (no proposal points), the same drawing every time: the
 * picture the point form offers to click on, and the frame that reads the spot clicked. Null when
 * no district has an outline.
 */
export async function districtsDrawing(db: Db, scope: Scope): Promise<MapDrawing | null> {
  const mapped = (await districtsOf(db, scope)).filter((d) => d.boundary !== null);
  if (mapped.length === 0) return null;
  return drawMap({
    districts: mapped.map((d) => ({ id: d.id, coordinates: d.boundary as MultiPolygonCoords })),
    points: [],
  });
}

/**
 * What the point form of a proposal shows: its title and point, and the map around it. Null when the
 * round or proposal is not of this municipality; `may` false for anyone but its author and staff.
 */
export async function proposalPointForm(
  db: Db,
  scope: Scope,
  input: { roundSlug: string; proposalId: string; now?: Date },
) {
  const round = await findRound(db, scope, { slug: input.roundSlug });
  if (!round) return null;
  const proposal = await proposalInRound(db, scope, { roundId: round.id, proposalId: input.proposalId }).catch(
    () => null,
  );
  if (!proposal) return null;
  const role = await roleIn(db, scope);
  const phaseRows = await db.select().from(phases).where(eq(phases.roundId, round.id));
  const phase = currentPhase(phaseRows, dayIn(scope.municipality.timeZone, input.now ?? new Date()))?.kind ?? null;
  const author = scope.actor.kind === "user" && proposal.authorId === scope.actor.userId;
  return {
    round,
    proposal,
    may: role !== null || author,
    open: role !== null || (author && phase === "proposals" && proposal.status === "submitted"),
    hasAddresses: (await addressCount(db, scope)) > 0,
    map: await roundMap(db, scope, { proposals: [proposal] }),
  };
}
