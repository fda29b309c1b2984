import type { AddressProblem, AddressProblemCode } from "../../domain/geo/addresses";
import type { GeoProblem, GeoProblemCode } from "../../domain/geo/geojson";
import { json } from "@remix-run/node";
import { isolated } from "../../domain/accounts/names";
import { type Locale, type LocalizedText, type MessageKey, type Translator, pickText } from "../../domain/i18n";
import { RefusedError } from "../../services/errors.server";
import type { MapRefusal } from "../../services/geo/maps.server";
import type { FormFailure } from "../forms.server";
import { type RefusalMessages, refusalResponseFrom, translateParams } from "../refusals.server";

/** Every map refusal code and its message (the compiler checks that none is missing). */
export const mapMessages: RefusalMessages<MapRefusal> = {
  geojson_invalid: "map.error.geojson_invalid",
  addresses_invalid: "map.error.addresses_invalid",
  proposal_not_found: "map.error.proposal_not_found",
  point_not_yours: "map.error.point_not_yours",
  point_closed: "map.error.point_closed",
  point_no_map: "map.error.point_no_map",
  point_outside: "map.error.point_outside",
  point_other_district: "map.error.point_other_district",
  address_unknown: "map.error.address_unknown",
  tile_url: "map.error.tile_url",
  tile_attribution: "map.error.tile_attribution",
  tile_attribution_long: "map.error.tile_attribution_long",
  file_missing: "map.error.file_missing",
  file_encoding: "map.error.file_encoding",
};

export function mapRefusalResponse(error: unknown, t: Translator, values: Record<string, string>) {
  return refusalResponseFrom(error, t, values, mapMessages);
}

/**
 * A refused point: "in another district" names that district in the reader's language (`field`
 * replaces the refusal's own field, e.g. the map picture's); the rest as `mapRefusalResponse`.
 */
export function pointRefusalResponse(
  error: unknown,
  t: Translator,
  locale: Locale,
  districts: readonly { id: string; name: LocalizedText }[],
  values: Record<string, string>,
  field?: string,
) {
  if (error instanceof RefusedError && error.code === "point_other_district") {
    const own = districts.find((d) => d.id === error.params.district);
    return json<FormFailure>(
      {
        errors: {
          [field ?? error.field ?? "lat"]: t("map.error.point_other_district", {
            district: isolated(own ? pickText(own.name, locale) : ""),
          }),
        },
        values,
      },
      { status: 400 },
    );
  }
  if (field && error instanceof RefusedError && Object.hasOwn(mapMessages, error.code))
    return json<FormFailure>(
      { errors: { [field]: t(mapMessages[error.code as MapRefusal], translateParams(error.params, t)) }, values },
      { status: error.status },
    );
  return mapRefusalResponse(error, t, values);
}

const geoProblemKey: { readonly [C in GeoProblemCode]: MessageKey } = {
  too_large: "map.problem.too_large",
  not_json: "map.problem.not_json",
  not_feature_collection: "map.problem.not_feature_collection",
  no_features: "map.problem.no_features",
  too_many_features: "map.problem.too_many_features",
  too_many_points: "map.problem.too_many_points",
  not_feature: "map.problem.not_feature",
  geometry_type: "map.problem.geometry_type",
  key_missing: "map.problem.key_missing",
  key_invalid: "map.problem.key_invalid",
  key_duplicate: "map.problem.key_duplicate",
  coordinates: "map.problem.coordinates",
  out_of_bounds: "map.problem.out_of_bounds",
  ring_not_closed: "map.problem.ring_not_closed",
  ring_too_short: "map.problem.ring_too_short",
  self_intersection: "map.problem.self_intersection",
  area_too_large: "map.problem.area_too_large",
  area_too_small: "map.problem.area_too_small",
};

/** One problem of a districts file in words: "Feature 3 (east): the outline crosses itself near …". */
export function geoProblemText(t: Translator, p: GeoProblem): string {
  const params: Record<string, string | number> = {
    polygon: 0,
    ring: 0,
    lon: 0,
    lat: 0,
    max: 0,
    type: "",
    property: "",
    km2: 0,
    size: 0,
    ...p.params,
  };
  if (p.code === "too_large") params.max = GEOJSON_MB(p.params.max);
  const what = t(geoProblemKey[p.code], params);
  if (p.feature === null) return what;
  return t("map.problem.feature", { feature: p.feature, key: p.key ?? "—", problem: what });
}

function GEOJSON_MB(bytes: string | number | undefined): number {
  return Math.round(Number(bytes ?? 0) / 100_000) / 10;
}

const addressProblemKey: { readonly [C in AddressProblemCode]: MessageKey } = {
  too_large: "map.address.too_large",
  header: "map.address.header",
  too_many: "map.address.too_many",
  columns: "map.address.columns",
  label: "map.address.label",
  point: "map.address.point",
  duplicate: "map.address.duplicate",
  outside: "map.address.outside",
};

export function addressProblemText(t: Translator, p: AddressProblem): string {
  const what = t(addressProblemKey[p.code]);
  return p.line === null ? what : t("map.address.line", { line: p.line, problem: what });
}
