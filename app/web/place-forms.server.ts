/** Reading the optional "where is it" fields of a proposal form (ADR 0035): an address, or a point. */
import { readPoint } from "../domain/geo/geojson";
import type { Translator } from "../domain/i18n";
import type { PointInput } from "../services/geo/maps.server";
import type { FieldErrors } from "./forms.server";

export type PlaceFields =
  | { ok: true; point: PointInput; values: Record<string, string> }
  | { ok: false; errors: FieldErrors; values: Record<string, string> };

/** An address wins over a typed point; neither is no place at all. Bad degrees name the latitude field. */
export function readPlaceFields(form: FormData, t: Translator): PlaceFields {
  const text = (name: string, max: number) => {
    const value = form.get(name);
    return typeof value === "string" ? value.trim().slice(0, max) : "";
  };
  const values = {
    pointAddress: text("pointAddress", 200),
    pointLat: text("pointLat", 40),
    pointLon: text("pointLon", 40),
  };
  if (values.pointAddress) return { ok: true, point: { kind: "address", address: values.pointAddress }, values };
  if (!values.pointLat && !values.pointLon) return { ok: true, point: null, values };
  const point = readPoint(values.pointLat, values.pointLon);
  if (!point) return { ok: false, errors: { pointLat: t("map.point.invalid") }, values };
  return { ok: true, point: { kind: "point", ...point }, values };
}
