/**
 * Where a proposal is, on the form that files it (ADR 0035): optional, an address the municipality
 * knows or a point in decimal degrees. The point form of a proposal also takes a click on the map.
 */
import { Field } from "./forms";
import { useT } from "./i18n";

export function PlaceFieldset({
  place,
  values,
  errors,
}: {
  place: { points: boolean; addresses: boolean };
  values: Record<string, string>;
  errors?: Record<string, string> | null;
}) {
  const t = useT();
  if (!place.points) return null;
  return (
    <fieldset className="place-fields">
      <legend>{t("map.point.formTitle")}</legend>
      <p className="hint">{t("map.point.formHint")}</p>
      {place.addresses ? (
        <Field
          name="pointAddress"
          label={t("map.point.address")}
          defaultValue={values.pointAddress}
          error={errors?.pointAddress}
        />
      ) : null}
      <Field
        name="pointLat"
        label={t("map.point.lat")}
        hint={t("map.point.latHint")}
        dir="ltr"
        defaultValue={values.pointLat}
        error={errors?.pointLat}
      />
      <Field
        name="pointLon"
        label={t("map.point.lon")}
        dir="ltr"
        defaultValue={values.pointLon}
        error={errors?.pointLon}
      />
    </fieldset>
  );
}
