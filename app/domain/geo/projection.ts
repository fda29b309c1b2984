/**
 * The map drawn on the server: districts and proposal points projected onto an SVG plane
 * (equirectangular, scaled by the cosine of the middle latitude: at a city's size the distortion is
 * below what anyone sees). Pure: the page renders the numbers this returns (ADR 0035).
 */
import type { MultiPolygonCoords, Position } from "./geojson";

export interface MapDistrictIn {
  id: string;
  coordinates: MultiPolygonCoords;
}
export interface MapPointIn {
  id: string;
  lat: number;
  lon: number;
}

export interface MapDistrictOut {
  id: string;
  /** SVG path data of all rings (holes drawn with the even-odd rule). */
  path: string;
  /** Where the district's label goes: the middle of its largest outer ring's box. */
  label: [number, number];
}
export interface MapPointOut {
  id: string;
  x: number;
  y: number;
}

/** How lon/lat became x/y in a drawing: `unproject` turns a spot on it back into a position. */
export interface MapFrame {
  width: number;
  height: number;
  midLon: number;
  midLat: number;
  /** cos(middle latitude): a degree of longitude is this much of a degree of latitude. */
  kx: number;
  /** Drawing units per degree of latitude. */
  scale: number;
}

export interface MapDrawing {
  width: number;
  height: number;
  districts: MapDistrictOut[];
  points: MapPointOut[];
  frame: MapFrame;
}

const PAD = 16;

function r1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Projects districts and points into a `width`-wide drawing; null when there is nothing to place. */
export function drawMap(input: {
  districts: MapDistrictIn[];
  points: MapPointIn[];
  width?: number;
}): MapDrawing | null {
  const width = input.width ?? 600;
  const all: Position[] = [
    ...input.districts.flatMap((d) => d.coordinates.flat(2) as Position[]),
    ...input.points.map((p) => [p.lon, p.lat] as Position),
  ];
  if (all.length === 0) return null;
  let minLon = Infinity;
  let maxLon = -Infinity;
  let minLat = Infinity;
  let maxLat = -Infinity;
  for (const [lon, lat] of all) {
    minLon = Math.min(minLon, lon);
    maxLon = Math.max(maxLon, lon);
    minLat = Math.min(minLat, lat);
    maxLat = Math.max(maxLat, lat);
  }
  // A lone point (or points on a line) still gets a small box around it.
  const spanLon = Math.max(maxLon - minLon, 0.01);
  const spanLat = Math.max(maxLat - minLat, 0.01);
  const midLon = (minLon + maxLon) / 2;
  const midLat = (minLat + maxLat) / 2;
  const kx = Math.cos((midLat * Math.PI) / 180);
  const scale = (width - 2 * PAD) / Math.max(spanLon * kx, (spanLat * 3) / 4);
  const height = Math.ceil(spanLat * scale + 2 * PAD);
  const frame: MapFrame = { width, height, midLon, midLat, kx, scale };
  const project = (lon: number, lat: number): [number, number] => [
    r1(width / 2 + (lon - midLon) * kx * scale),
    r1(height / 2 - (lat - midLat) * scale),
  ];
  const districts = input.districts.map((d) => {
    const path = d.coordinates
      .flatMap((polygon) =>
        polygon.map(
          (ring) =>
            ring
              .slice(0, -1)
              .map(([lon, lat], i) => {
                const [x, y] = project(lon, lat);
                return `${i === 0 ? "M" : "L"}${x} ${y}`;
              })
              .join("") + "Z",
        ),
      )
      .join("");
    let best: [number, number] = [width / 2, height / 2];
    let bestArea = -1;
    for (const polygon of d.coordinates) {
      const outer = polygon[0];
      if (!outer) continue;
      const xs = outer.map(([lon]) => lon);
      const ys = outer.map(([, lat]) => lat);
      const area = (Math.max(...xs) - Math.min(...xs)) * (Math.max(...ys) - Math.min(...ys));
      if (area > bestArea) {
        bestArea = area;
        best = project((Math.max(...xs) + Math.min(...xs)) / 2, (Math.max(...ys) + Math.min(...ys)) / 2);
      }
    }
    return { id: d.id, path, label: best };
  });
  const points = input.points.map((p) => {
    const [x, y] = project(p.lon, p.lat);
    return { id: p.id, x, y };
  });
  return { width, height, districts, points, frame };
}

/** The position (6 decimals, about 10 cm) of the spot (x, y) of a drawing made in `frame`. */
export function unproject(frame: MapFrame, x: number, y: number): { lat: number; lon: number } {
  const round6 = (value: number) => Math.round(value * 1e6) / 1e6;
  return {
    lon: round6(frame.midLon + (x - frame.width / 2) / (frame.kx * frame.scale)),
    lat: round6(frame.midLat - (y - frame.height / 2) / frame.scale),
  };
}

/**
 * What the street map over a round's drawing needs (ADR 0035): the tile URL template, the attribution
 * its provider requires (plain text), and the same outlines and points in degrees.
 */
export interface StreetMapData {
  tileUrl: string;
  attribution: string;
  districts: { id: string; coordinates: MultiPolygonCoords }[];
  points: { id: string; lat: number; lon: number }[];
}
