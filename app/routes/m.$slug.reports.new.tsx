import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { SelectField, TextArea } from "../components/rounds";
import { pickText, translator } from "../domain/i18n";
import {
  REPORT_DESCRIPTION_MAX,
  REPORT_PHOTO_MAX_BYTES,
  REPORT_PHOTOS_MAX,
  parseCoordinate,
} from "../domain/reports/reports";
import { prepareReportPhotos } from "../services/reports/photos.server";
import { districtsOf, fileReport, fundedProjects, reportCategoriesOf } from "../services/reports/reports.server";
import { observer, scopeOf, userActor } from "../services/scope";
import { readUploadForm } from "../web/csrf.server";
import { type FieldErrors, echoValues, formFailure, validateForm } from "../web/forms.server";
import { optionalUser, requireMunicipality } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { reportMessages } from "../web/refusal-messages/reports";
import { refusalResponseFrom } from "../web/refusals.server";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => [t("reports.fileTitle")]);

/** The filing form: categories, districts and funded projects to choose from. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const current = await optionalUser(request, context);
  const scope = scopeOf(municipality, current ? userActor(current.user) : observer);
  const url = new URL(request.url);
  // Names in the page's language only: the form stays within the resident page budget (ADR 0011).
  const locale = requestLocale(request);
  return json({
    pageStrings: await pageStringsFor(context, request, [
      "reports.fileTitle",
      "reports.category",
      "reports.description",
      "reports.descriptionHint",
      "reports.district",
      "reports.noDistrict",
      "reports.location",
      "reports.lat",
      "reports.lon",
      "reports.locationHint",
      "reports.project",
      "reports.noProject",
      "reports.photos",
      "reports.keepLocation",
      "reports.anonymous",
      "reports.submit",
      "reports.loginToFile",
      "reports.photo",
      "reports.back",
      "reports.error",
    ]),
    slug: municipality.slug,
    loggedIn: current !== null,
    project: url.searchParams.get("project") ?? "",
    categories: (await reportCategoriesOf(context.db, scope)).map((c) => ({
      code: c.code,
      name: pickText(c.name, locale),
      allowAnonymous: c.allowAnonymous,
      aboutProjects: c.aboutProjects,
    })),
    districts: (await districtsOf(context.db, scope)).map((d) => ({ code: d.code, name: pickText(d.name, locale) })),
    projects: (await fundedProjects(context.db, scope)).map((p) => ({ id: p.id, title: pickText(p.title, locale) })),
  });
}

const coordinate = (max: number) =>
  z
    .string()
    .optional()
    .default("")
    .transform((v) => parseCoordinate(v))
    .refine((v) => v === null || (Number.isFinite(v) && Math.abs(v) <= max));

const schema = z.object({
  category: z.string().trim().min(1).max(64),
  description: z.string().trim().min(1).max(REPORT_DESCRIPTION_MAX),
  district: z.string().trim().max(64).optional().default(""),
  project: z.string().trim().max(64).optional().default(""),
  lat: coordinate(90),
  lon: coordinate(180),
  anonymous: z.string().optional().default(""),
  keepLocation: z.string().optional().default(""),
});

/** Three photos of 5 MB at most, plus the text fields. */
const BODY_MAX = REPORT_PHOTOS_MAX * REPORT_PHOTO_MAX_BYTES + 64 * 1024;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const current = await optionalUser(request, context);
  const t = translator(requestLocale(request));
  const form = await readUploadForm(request, BODY_MAX);
  if (!form)
    return json({ errors: { photos: t("reports.error.report_photo_too_large") }, values: {} }, { status: 413 });
  const parsed = validateForm(schema, form, t, {
    category: "reports.category",
    description: "reports.description",
    district: "reports.district",
    project: "reports.project",
    lat: "reports.lat",
    lon: "reports.lon",
  });
  if (!parsed.ok) return formFailure(400, parsed.errors, parsed.values);
  const d = parsed.data;
  const scope = scopeOf(municipality, current ? userActor(current.user) : observer);
  try {
    const { photos, location } = await prepareReportPhotos(
      form.getAll("photos").filter((f): f is File => f instanceof File),
      { keepLocation: d.keepLocation === "yes", altOf: (n) => t("reports.photo", { n }) },
    );
    // A typed location wins; else the photo's own, when the resident chose to keep it (ADR 0039).
    const typed = d.lat !== null || d.lon !== null;
    const { number } = await fileReport(context.db, scope, {
      categoryCode: d.category,
      description: d.description,
      districtCode: d.district || null,
      proposalId: d.project || null,
      lat: typed ? d.lat : (location?.lat ?? null),
      lon: typed ? d.lon : (location?.lon ?? null),
      anonymous: d.anonymous === "yes",
      photos,
      locale: requestLocale(request),
    });
    return redirect(`/m/${municipality.slug}/reports/${number}?filed=1`);
  } catch (error) {
    return refusalResponseFrom(error, t, echoValues(form), reportMessages);
  }
}

export default function FileReport() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as
    | { errors?: FieldErrors; values?: Record<string, string> }
    | undefined;
  const values = result?.values ?? {};
  const errors = result?.errors ?? {};
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/reports`}>{t("reports.back")}</Link>
      </p>
      <h1>{t("reports.fileTitle")}</h1>
      {data.loggedIn ? null : <p className="notice">{t("reports.loginToFile")}</p>}
      <ErrorSummary errors={result?.errors} />
      <PostForm encType="multipart/form-data" noValidate>
        <SelectField
          name="category"
          label={t("reports.category")}
          defaultValue={
            values.category ?? (data.project ? data.categories.find((c) => c.aboutProjects)?.code : undefined)
          }
          error={errors.category}
          options={data.categories.map((c) => ({ value: c.code, label: c.name }))}
        />
        <TextArea
          name="description"
          label={t("reports.description")}
          defaultValue={values.description}
          error={errors.description}
          required
        />
        <p className="hint">{t("reports.descriptionHint")}</p>
        {data.districts.length ? (
          <SelectField
            name="district"
            label={t("reports.district")}
            defaultValue={values.district}
            error={errors.district}
            options={[
              { value: "", label: t("reports.noDistrict") },
              ...data.districts.map((d) => ({ value: d.code, label: d.name })),
            ]}
          />
        ) : null}
        {data.projects.length ? (
          <SelectField
            name="project"
            label={t("reports.project")}
            defaultValue={values.project ?? data.project}
            error={errors.project}
            options={[
              { value: "", label: t("reports.noProject") },
              ...data.projects.map((p) => ({ value: p.id, label: p.title })),
            ]}
          />
        ) : null}
        <fieldset>
          <legend>{t("reports.location")}</legend>
          <p className="hint">{t("reports.locationHint")}</p>
          <Field name="lat" label={t("reports.lat")} defaultValue={values.lat} error={errors.lat} dir="ltr" />
          <Field name="lon" label={t("reports.lon")} defaultValue={values.lon} error={errors.lon} dir="ltr" />
        </fieldset>
        <div className={errors.photos ? "field field-invalid" : "field"}>
          <label htmlFor="field-photos">{t("reports.photos")}</label>
          {errors.photos ? (
            <p className="field-error" id="field-photos-error">
              {errors.photos}
            </p>
          ) : null}
          <input id="field-photos" type="file" name="photos" accept="image/jpeg,image/png,image/webp" multiple />
        </div>
        <p>
          <label>
            <input type="checkbox" name="keepLocation" value="yes" /> {t("reports.keepLocation")}
          </label>
        </p>
        {data.loggedIn && data.categories.some((c) => c.allowAnonymous) ? (
          <p>
            <label>
              <input type="checkbox" name="anonymous" value="yes" defaultChecked={values.anonymous === "yes"} />{" "}
              {t("reports.anonymous")}
            </label>
          </p>
        ) : null}
        <button type="submit">{t("reports.submit")}</button>
      </PostForm>
    </>
  );
}
