/**
 * Districts as GeoJSON: reading a FeatureCollection of Polygon/MultiPolygon features into district
 * shapes, refusing what cannot be a district with a problem that names the feature (ADR 0035).
 * Pure: no database, no web.
 */
import { latinDigits } from "../i18n/numbers";

/** [longitude, latitude] in degrees (GeoJSON order, WGS 84). */
export type Position = [number, number];
export type Ring = Position[];
/** Outer ring first, then holes. */
export type PolygonRings = Ring[];
/** Every district is stored as the coordinates of a MultiPolygon. */
export type MultiPolygonCoords = PolygonRings[];

/** Largest GeoJSON file accepted (bytes of UTF-8). A city's districts, simplified, fit easily. */
export const GEOJSON_MAX_BYTES = 2_000_000;
export const GEOJSON_MAX_FEATURES = 500;
/** Points in all rings of one file; also bounds the self-intersection check's work. */
export const GEOJSON_MAX_POINTS = 50_000;
export const RING_MAX_POINTS = 5_000;
/** No district of a municipality is larger than this (the largest municipalities are ~160 000 km²). */
export const DISTRICT_MAX_KM2 = 200_000;
/** Nor smaller than a house plot: a smaller area is a drawing mistake (or degrees typed as metres). */
export const DISTRICT_MIN_KM2 = 0.0001;

export type GeoProblemCode =
  | "too_large"
  | "not_json"
  | "not_feature_collection"
  | "no_features"
  | "too_many_features"
  | "too_many_points"
  | "not_feature"
  | "geometry_type"
  | "key_missing"
  | "key_invalid"
  | "key_duplicate"
  | "coordinates"
  | "out_of_bounds"
  | "ring_not_closed"
  | "ring_too_short"
  | "self_intersection"
  | "area_too_large"
  | "area_too_small";

/** One reason a file is refused: which feature (1-based, as people count) and which district key. */
export interface GeoProblem {
  code: GeoProblemCode;
  feature: number | null;
  key: string | null;
  params: Record<string, string | number>;
}

export interface DistrictShape {
  /** The value of the key property: matched against the district codes. */
  key: string;
  /** Names from the feature's properties (`name_en`/`name`, `name_fa`), used when a district is created. */
  name: { en?: string; fa?: string };
  coordinates: MultiPolygonCoords;
}

export type GeoJsonResult = { ok: true; districts: DistrictShape[] } | { ok: false; problems: GeoProblem[] };

/** District codes as Shora writes them (lower-case letters, digits, dashes). */
export const DISTRICT_CODE = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;

const MAX_PROBLEMS = 20;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function plainText(value: unknown, max: number): string | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const text = String(value).trim();
  return text ? text.slice(0, max) : undefined;
}

/** Reads a districts file. `keyProperty` names the property that holds each district's code. */
export function readDistrictsGeoJson(text: string, keyProperty = "code"): GeoJsonResult {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > GEOJSON_MAX_BYTES) {
    return fail({ code: "too_large", feature: null, key: null, params: { max: GEOJSON_MAX_BYTES, size: bytes } });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch {
    return fail({ code: "not_json", feature: null, key: null, params: {} });
  }
  if (!isObject(doc) || doc.type !== "FeatureCollection" || !Array.isArray(doc.features)) {
    return fail({ code: "not_feature_collection", feature: null, key: null, params: {} });
  }
  const features = doc.features as unknown[];
  if (features.length === 0) return fail({ code: "no_features", feature: null, key: null, params: {} });
  if (features.length > GEOJSON_MAX_FEATURES) {
    return fail({ code: "too_many_features", feature: null, key: null, params: { max: GEOJSON_MAX_FEATURES } });
  }
  const problems: GeoProblem[] = [];
  const districts: DistrictShape[] = [];
  const seen = new Set<string>();
  let points = 0;
  for (const [index, feature] of features.entries()) {
    if (problems.length >= MAX_PROBLEMS) break;
    const number = index + 1;
    if (!isObject(feature) || feature.type !== "Feature") {
      problems.push({ code: "not_feature", feature: number, key: null, params: {} });
      continue;
    }
    const properties = isObject(feature.properties) ? feature.properties : {};
    const key = plainText(properties[keyProperty], 48)?.toLowerCase();
    const at = (code: GeoProblemCode, params: Record<string, string | number> = {}): GeoProblem => ({
      code,
      feature: number,
      key: key ?? null,
      params,
    });
    if (!key) {
      problems.push(at("key_missing", { property: keyProperty }));
      continue;
    }
    if (!DISTRICT_CODE.test(key)) {
      problems.push({ ...at("key_invalid", { property: keyProperty }), key: key.slice(0, 48) });
      continue;
    }
    if (seen.has(key)) {
      problems.push(at("key_duplicate"));
      continue;
    }
    seen.add(key);
    const geometry = feature.geometry;
    const type = isObject(geometry) ? geometry.type : null;
    if (!isObject(geometry) || (type !== "Polygon" && type !== "MultiPolygon")) {
      problems.push(at("geometry_type", { type: typeof type === "string" ? type.slice(0, 40) : "none" }));
      continue;
    }
    const shape = readCoordinates(type === "Polygon" ? [geometry.coordinates] : geometry.coordinates);
    if (!shape) {
      problems.push(at("coordinates"));
      continue;
    }
    points += shape.flat(2).length;
    if (points > GEOJSON_MAX_POINTS) {
      return fail({ code: "too_many_points", feature: number, key, params: { max: GEOJSON_MAX_POINTS } });
    }
    const problem = checkShape(shape);
    if (problem) {
      problems.push(at(problem.code, problem.params));
      continue;
    }
    districts.push({
      key,
      name: {
        en: plainText(properties.name_en ?? properties.name, 200),
        fa: plainText(properties.name_fa, 200),
      },
      coordinates: shape,
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, districts };
}

function fail(problem: GeoProblem): GeoJsonResult {
  return { ok: false, problems: [problem] };
}

/** Arrays of arrays of positions of finite numbers, or null. Extra position members (altitude) are dropped. */
function readCoordinates(value: unknown): MultiPolygonCoords | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const polygons: MultiPolygonCoords = [];
  for (const polygon of value) {
    if (!Array.isArray(polygon) || polygon.length === 0) return null;
    const rings: PolygonRings = [];
    for (const ring of polygon) {
      if (!Array.isArray(ring)) return null;
      const positions: Ring = [];
      for (const position of ring) {
        if (!Array.isArray(position) || position.length < 2) return null;
        const [lon, lat] = position;
        if (typeof lon !== "number" || typeof lat !== "number" || !Number.isFinite(lon) || !Number.isFinite(lat)) {
          return null;
        }
        positions.push([lon, lat]);
      }
      rings.push(positions);
    }
    polygons.push(rings);
  }
  return polygons;
}

interface ShapeProblem {
  code: GeoProblemCode;
  params: Record<string, string | number>;
}

function checkShape(shape: MultiPolygonCoords): ShapeProblem | null {
  let area = 0;
  for (const [p, polygon] of shape.entries()) {
    for (const [r, ring] of polygon.entries()) {
      const where = { polygon: p + 1, ring: r + 1 };
      for (const [lon, lat] of ring) {
        if (lon < -180 || lon > 180 || lat < -90 || lat > 90) {
          return { code: "out_of_bounds", params: { ...where, lon, lat } };
        }
      }
      if (ring.length > RING_MAX_POINTS) return { code: "too_many_points", params: { max: RING_MAX_POINTS } };
      const first = ring[0];
      const last = ring[ring.length - 1];
      if (!first || !last || first[0] !== last[0] || first[1] !== last[1]) {
        return { code: "ring_not_closed", params: where };
      }
      const open = withoutRepeats(ring.slice(0, -1));
      if (open.length < 3) return { code: "ring_too_short", params: where };
      const crossing = selfIntersection(open);
      if (crossing) {
        return {
          code: "self_intersection",
          params: { ...where, lon: round(crossing[0], 5), lat: round(crossing[1], 5) },
        };
      }
      const km2 = ringAreaKm2(open);
      area += r === 0 ? km2 : -km2;
      if (r === 0 && km2 < DISTRICT_MIN_KM2) return { code: "area_too_small", params: where };
    }
  }
  if (area > DISTRICT_MAX_KM2)
    return { code: "area_too_large", params: { km2: Math.round(area), max: DISTRICT_MAX_KM2 } };
  if (area < DISTRICT_MIN_KM2) return { code: "area_too_small", params: { polygon: 1, ring: 1 } };
  return null;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function withoutRepeats(ring: Ring): Ring {
  return ring.filter((p, i) => {
    const prev = ring[i === 0 ? ring.length - 1 : i - 1];
    return !(prev && prev !== p && prev[0] === p[0] && prev[1] === p[1]);
  });
}

function orientation(a: Position, b: Position, c: Position): number {
  const v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

function onSegment(a: Position, b: Position, p: Position): boolean {
  return (
    Math.min(a[0], b[0]) <= p[0] &&
    p[0] <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= p[1] &&
    p[1] <= Math.max(a[1], b[1])
  );
}

/** Do segments ab and cd share any point (crossing, touching or overlapping)? */
export function segmentsIntersect(a: Position, b: Position, c: Position, d: Position): boolean {
  const o1 = orientation(a, b, c);
  const o2 = orientation(a, b, d);
  const o3 = orientation(c, d, a);
  const o4 = orientation(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  if (o1 === 0 && onSegment(a, b, c)) return true;
  if (o2 === 0 && onSegment(a, b, d)) return true;
  if (o3 === 0 && onSegment(c, d, a)) return true;
  if (o4 === 0 && onSegment(c, d, b)) return true;
  return false;
}

/**
 * Where a ring (given open: the closing point left out) crosses or touches itself, or null.
 * Neighbouring edges share their common corner and are not compared; everything else is.
 */
export function selfIntersection(ring: Ring): Position | null {
  const n = ring.length;
  for (let i = 0; i < n; i++) {
    const a = ring[i] as Position;
    const b = ring[(i + 1) % n] as Position;
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue; // the closing edge neighbours the first
      const c = ring[j] as Position;
      const d = ring[(j + 1) % n] as Position;
      if (segmentsIntersect(a, b, c, d)) return crossingPoint(a, b, c, d);
    }
  }
  return null;
}

function crossingPoint(a: Position, b: Position, c: Position, d: Position): Position {
  const den = (a[0] - b[0]) * (c[1] - d[1]) - (a[1] - b[1]) * (c[0] - d[0]);
  if (den === 0) return c; // collinear overlap: any shared point will do to point at it
  const t = ((a[0] - c[0]) * (c[1] - d[1]) - (a[1] - c[1]) * (c[0] - d[0])) / den;
  return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
}

/** Area of a ring in km², on a local equirectangular plane (good enough for a sanity bound). */
export function ringAreaKm2(ring: Ring): number {
  if (ring.length < 3) return 0;
  const lat0 = (ring.reduce((s, p) => s + p[1], 0) / ring.length) * (Math.PI / 180);
  const kx = 111.32 * Math.cos(lat0);
  const ky = 110.574;
  let twice = 0;
  for (let i = 0; i < ring.length; i++) {
    const p = ring[i] as Position;
    const q = ring[(i + 1) % ring.length] as Position;
    twice += p[0] * kx * (q[1] * ky) - q[0] * kx * (p[1] * ky);
  }
  return Math.abs(twice) / 2;
}

function inRing(ring: Ring, lon: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as Position;
    const [xj, yj] = ring[j] as Position;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Is the point inside the shape (inside an outer ring and outside its holes)? */
export function containsPoint(shape: MultiPolygonCoords, lon: number, lat: number): boolean {
  return shape.some(
    ([outer, ...holes]) => outer !== undefined && inRing(outer, lon, lat) && !holes.some((h) => inRing(h, lon, lat)),
  );
}

/** A point people type: latitude and longitude in decimal degrees, within range. */
export function readPoint(latText: string, lonText: string): { lat: number; lon: number } | null {
  const number = /^\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)\s*$/;
  const latin = (s: string) => latinDigits(s).replace(/٫/g, ".");
  const la = latin(latText);
  const lo = latin(lonText);
  if (!number.test(la) || !number.test(lo)) return null;
  const lat = Number(la);
  const lon = Number(lo);
  if (lat < -90 || lat > 90 || lon < -180 || lon > 180) return null;
  return { lat: round(lat, 6), lon: round(lon, 6) };
}
