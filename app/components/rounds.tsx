import { type MessageKey, pickText } from "../domain/i18n";
import { typedDay } from "../domain/i18n/days";
import { phaseKinds } from "../domain/rounds/phases";
import { Field } from "./forms";
import { useLocale, useT } from "./i18n";
import { phaseLabel } from "./labels";

type Values = Record<string, string | undefined>;
type Errors = Record<string, string> | null | undefined;

/** Two inputs (English, Persian) for one localized text; `multiline` gives text areas. */
export function LocalizedFields({
  idSuffix,
  name,
  labelEn,
  labelFa,
  values,
  errors,
  multiline,
}: {
  /** Makes the input ids unique when a page repeats the form. */
  idSuffix?: string;
  name: string;
  labelEn: MessageKey;
  labelFa: MessageKey;
  values: Values;
  errors: Errors;
  multiline?: boolean;
}) {
  const t = useT();
  const items = [
    { field: `${name}En`, label: t(labelEn), dir: "ltr" as const, lang: "en" },
    { field: `${name}Fa`, label: t(labelFa), dir: "rtl" as const, lang: "fa" },
  ];
  return (
    <>
      {items.map((item) =>
        multiline ? (
          <TextArea
            key={item.field}
            id={idSuffix ? `${item.field}-${idSuffix}` : undefined}
            name={item.field}
            label={item.label}
            defaultValue={values[item.field]}
            error={errors?.[item.field]}
            dir={item.dir}
            lang={item.lang}
          />
        ) : (
          <Field
            key={item.field}
            id={idSuffix ? `${item.field}-${idSuffix}` : undefined}
            name={item.field}
            label={item.label}
            defaultValue={values[item.field]}
            error={errors?.[item.field]}
            dir={item.dir}
          />
        ),
      )}
    </>
  );
}

export function TextArea({
  id: givenId,
  name,
  label,
  defaultValue,
  error,
  dir,
  lang,
  required,
}: {
  /** Defaults to field-<name>; give one when a page shows several forms with the same field. */
  id?: string;
  name: string;
  label: string;
  defaultValue?: string;
  error?: string;
  dir?: "ltr" | "rtl" | "auto";
  lang?: string;
  required?: boolean;
}) {
  const id = givenId ?? `field-${name}`;
  return (
    <div className={error ? "field field-invalid" : "field"}>
      <label htmlFor={id}>{label}</label>
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
      <textarea
        id={id}
        name={name}
        rows={4}
        defaultValue={defaultValue}
        dir={dir}
        lang={lang}
        required={required}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
    </div>
  );
}

export function SelectField({
  id: givenId,
  name,
  label,
  options,
  defaultValue,
  error,
}: {
  id?: string;
  name: string;
  label: string;
  options: { value: string; label: string }[];
  defaultValue?: string;
  error?: string;
}) {
  const id = givenId ?? `field-${name}`;
  return (
    <div className={error ? "field field-invalid" : "field"}>
      <label htmlFor={id}>{label}</label>
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
      <select id={id} name={name} defaultValue={defaultValue} aria-describedby={error ? `${id}-error` : undefined}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Start and end day of every phase (empty = skipped). */
export function PhaseFields({ values, errors, timeZone }: { values: Values; errors: Errors; timeZone: string }) {
  const t = useT();
  const locale = useLocale();
  // Persian pages: Solar Hijri days typed as text (the browser's date picker is Gregorian only); ADR 0029.
  const dayType = locale === "fa" ? "text" : "date";
  const dayHint = locale === "fa" ? t("format.day.hint") : undefined;
  return (
    <fieldset className="phase-fields">
      <legend>{t("round.phases")}</legend>
      <p className="hint">{t("rounds.phasesHelp", { timeZone })}</p>
      {dayHint ? <p className="hint">{dayHint}</p> : null}
      {phaseKinds.map((kind) => {
        const phase = t(phaseLabel[kind]);
        return (
          <div key={kind} className="phase-row">
            <Field
              name={`${kind}.startsOn`}
              type={dayType}
              label={t("rounds.phaseStart", { phase })}
              defaultValue={typedDay(locale, values[`${kind}.startsOn`])}
              error={errors?.[`${kind}.startsOn`]}
              dir="ltr"
            />
            <Field
              name={`${kind}.endsOn`}
              type={dayType}
              label={t("rounds.phaseEnd", { phase })}
              defaultValue={typedDay(locale, values[`${kind}.endsOn`])}
              error={errors?.[`${kind}.endsOn`]}
              dir="ltr"
            />
          </div>
        );
      })}
    </fieldset>
  );
}

/** The fields of a proposal (staff creation, resident submission and editing). */
export function ProposalFieldsView({
  values,
  errors,
  envelopes,
  districts: districtList,
  themes = [],
  currency,
}: {
  values: Record<string, string>;
  errors: Errors;
  envelopes: { slug: string; name: { en?: string; fa?: string } }[];
  districts: { id: string; name: { en?: string; fa?: string } }[];
  /** The round's themes (ADR 0032); no field when the round has none. */
  themes?: { id: string; name: { en?: string; fa?: string } }[];
  currency: string;
}) {
  const t = useT();
  const locale = useLocale();
  return (
    <>
      <SelectField
        name="envelopeSlug"
        label={t("rounds.proposal.envelope")}
        defaultValue={values.envelopeSlug}
        error={errors?.envelopeSlug}
        options={envelopes.map((e) => ({ value: e.slug, label: pickText(e.name, locale) }))}
      />
      <LocalizedFields
        name="title"
        labelEn="rounds.proposal.titleEn"
        labelFa="rounds.proposal.titleFa"
        values={values}
        errors={errors}
      />
      <LocalizedFields
        name="body"
        labelEn="rounds.proposal.bodyEn"
        labelFa="rounds.proposal.bodyFa"
        values={values}
        errors={errors}
        multiline
      />
      <Field
        name="cost"
        inputMode="numeric"
        label={t("rounds.proposal.cost", { currency })}
        defaultValue={values.cost}
        error={errors?.cost}
        dir="ltr"
      />
      <SelectField
        name="districtId"
        label={t("rounds.proposal.district")}
        defaultValue={values.districtId ?? ""}
        error={errors?.districtId}
        options={[
          { value: "", label: t("rounds.envelope.allDistricts") },
          ...districtList.map((d) => ({ value: d.id, label: pickText(d.name, locale) })),
        ]}
      />
      {themes.length ? (
        <SelectField
          name="themeId"
          label={t("themes.field")}
          defaultValue={values.themeId ?? ""}
          error={errors?.themeId}
          options={[
            { value: "", label: t("themes.noTheme") },
            ...themes.map((th) => ({ value: th.id, label: pickText(th.name, locale) })),
          ]}
        />
      ) : null}
      <Field
        name="location"
        label={t("rounds.proposal.location")}
        defaultValue={values.location}
        error={errors?.location}
      />
    </>
  );
}
