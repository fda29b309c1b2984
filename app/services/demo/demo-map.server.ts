/**
 * The demo municipality's map (ADR 0035): its three districts' outlines, points for this year's
 * proposals and a short list of known addresses. Provenance: hand-made — the outlines of a fictional
 * "Demo City" drawn by the author with a few points each, sharing their borders; no real boundaries.
 */
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { districts, mapAddresses, proposals } from "../../../db/schema";
import { foldAddress } from "../../domain/geo/addresses";
import { readDistrictsGeoJson } from "../../domain/geo/geojson";

type SeedTx = Parameters<Parameters<Db["transaction"]>[0]>[0];

const polygon = (ring: [number, number][]) => ({ type: "Polygon", coordinates: [ring] });

/** The districts file staff would upload (GeoJSON, [longitude, latitude]). */
export const DEMO_DISTRICTS_GEOJSON = JSON.stringify({
  type: "FeatureCollection",
  features: [
    {
      type: "Feature",
      properties: { code: "north", name_en: "North district", name_fa: "منطقهٔ شمال" },
      geometry: polygon([
        [51.33, 35.725],
        [51.36, 35.722],
        [51.4, 35.724],
        [51.43, 35.727],
        [51.435, 35.745],
        [51.42, 35.762],
        [51.39, 35.768],
        [51.355, 35.764],
        [51.335, 35.75],
        [51.33, 35.725],
      ]),
    },
    {
      type: "Feature",
      properties: { code: "center", name_en: "City centre", name_fa: "مرکز شهر" },
      geometry: polygon([
        [51.335, 35.705],
        [51.37, 35.703],
        [51.425, 35.706],
        [51.43, 35.727],
        [51.4, 35.724],
        [51.36, 35.722],
        [51.33, 35.725],
        [51.335, 35.705],
      ]),
    },
    {
      type: "Feature",
      properties: { code: "south", name_en: "South district", name_fa: "منطقهٔ جنوب" },
      geometry: polygon([
        [51.34, 35.68],
        [51.37, 35.672],
        [51.41, 35.675],
        [51.428, 35.69],
        [51.425, 35.706],
        [51.37, 35.703],
        [51.335, 35.705],
        [51.34, 35.68],
      ]),
    },
  ],
});

/** Where this year's demo proposals are, by English title: [latitude, longitude]. City-wide ones mostly have none. */
export const DEMO_POINTS: Record<string, [number, number]> = {
  "Playground renovation in Laleh park": [35.742, 51.355],
  "Bike lanes on Azadi street": [35.735, 51.395],
  "Benches and shade at the bus stops": [35.75, 51.41],
  "Free evening classes at the library": [35.757, 51.378],
  "Safe crossing near Hafez school": [35.731, 51.345],
  "Outdoor gym in Niloufar park": [35.748, 51.392],
  "Street lighting in the old bazaar": [35.69, 51.38],
  "Accessible ramps at the health centre": [35.697, 51.405],
  "Community garden on Bahar lot": [35.684, 51.36],
  "Youth music room in the cultural centre": [35.68, 51.395],
  "Shade trees along Enghelab avenue": [35.699, 51.35],
  "Green roof on the city library": [35.714, 51.385],
  "Rainwater harvesting in parks": [35.716, 51.36],
};

/** Addresses residents may type instead of a point. */
export const DEMO_ADDRESSES: { label: string; lat: number; lon: number }[] = [
  { label: "Laleh park", lat: 35.742, lon: 51.355 },
  { label: "پارک لاله", lat: 35.742, lon: 51.355 },
  { label: "City library", lat: 35.714, lon: 51.385 },
  { label: "کتابخانهٔ شهر", lat: 35.714, lon: 51.385 },
  { label: "Old bazaar", lat: 35.69, lon: 51.38 },
  { label: "بازار قدیم", lat: 35.69, lon: 51.38 },
];

/** Outlines, points and addresses of the demo municipality, inside the seed's transaction. */
export async function seedDemoMap(tx: SeedTx, input: { municipalityId: string; envelopeIds: string[] }) {
  const read = readDistrictsGeoJson(DEMO_DISTRICTS_GEOJSON);
  if (!read.ok) throw new Error(`the demo districts are invalid: ${JSON.stringify(read.problems)}`);
  for (const shape of read.districts) {
    await tx
      .update(districts)
      .set({ boundary: shape.coordinates })
      .where(and(eq(districts.municipalityId, input.municipalityId), eq(districts.code, shape.key)));
  }
  const rows = await tx
    .select({ id: proposals.id, title: proposals.title })
    .from(proposals)
    .where(inArray(proposals.envelopeId, input.envelopeIds));
  for (const row of rows) {
    const point = DEMO_POINTS[row.title.en ?? ""];
    if (!point) continue;
    await tx.update(proposals).set({ pointLat: point[0], pointLon: point[1] }).where(eq(proposals.id, row.id));
  }
  await tx
    .insert(mapAddresses)
    .values(DEMO_ADDRESSES.map((a) => ({ municipalityId: input.municipalityId, key: foldAddress(a.label), ...a })));
}
