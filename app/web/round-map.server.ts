/** The map part of a round's pages (the round page and its map page), ADR 0035. */
import type { Db } from "../../db/client";
import type { LocalizedText } from "../domain/i18n";
import { type MapProposal, roundMap } from "../services/geo/maps.server";
import type { Scope } from "../services/scope";
import type { District } from "../services/tenancy/municipality.server";

type ListedProposal = MapProposal & { title: LocalizedText; districtId: string | null };

/** The drawing and the list beside it for the proposals a round page lists (already filtered); null without a map. */
export async function roundMapView(
  db: Db,
  scope: Scope,
  input: { envelopes: { proposals: ListedProposal[] }[]; districts: District[] },
) {
  const listed = input.envelopes.flatMap((e) => e.proposals);
  const map = await roundMap(db, scope, { proposals: listed });
  if (!map) return null;
  const names = new Map(input.districts.map((d) => [d.id, d.name]));
  return {
    drawing: map.drawing,
    districts: input.districts.filter((d) => d.boundary !== null).map((d) => ({ id: d.id, name: d.name })),
    entries: listed.map((p) => ({
      id: p.id,
      title: p.title,
      district: p.districtId ? (names.get(p.districtId) ?? null) : null,
    })),
    /** Only with a tile server: pages without one carry nothing of the street map. */
    street: map.street,
  };
}
