import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { and, asc, eq } from "drizzle-orm";
import { districts, rounds } from "../../db/schema";
import { ErrorSummary, Field, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { pickText, translator } from "../domain/i18n";
import { readForm } from "../web/csrf.server";
import { requireStaff } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { requestLocale } from "../web/locale.server";
import {
  VerificationRefused,
  deleteVoterClass,
  roundRules,
  saveEligibility,
  saveVoterClass,
  verificationFailure,
} from "../services/verification/verification.server";
import { pageTitle } from "../components/page-title";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t, locale) => [
    data && t("verification.eligibility.title", { round: pickText(data.round.title, locale) }),
  ]);

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality } = await requireStaff(request, context, params.slug);
  const [round] = await context.db
    .select()
    .from(rounds)
    .where(and(eq(rounds.municipalityId, municipality.id), eq(rounds.slug, params.round ?? "")));
  if (!round) throw notFound("round");
  const [rules, districtRows] = await Promise.all([
    roundRules(context.db, round, municipality.timeZone),
    context.db
      .select()
      .from(districts)
      .where(eq(districts.municipalityId, municipality.id))
      .orderBy(asc(districts.position)),
  ]);
  return json({
    slug: municipality.slug,
    round: { slug: round.slug, title: round.title },
    rules: { ...rules, classes: rules.classes.map((c) => ({ code: c.code, name: c.name, weight: c.weight })) },
    districts: districtRows.map((d) => ({ id: d.id, name: d.name })),
  });
}

function text(form: FormData, name: string, max = 200): string {
  const value = form.get(name);
  return typeof value === "string" ? value.slice(0, max).trim() : "";
}

function integer(raw: string, code: string, field: string): number {
  if (!/^\d{1,6}$/.test(raw)) throw new VerificationRefused(code, field);
  return Number(raw);
}

type Outcome = { errors: Record<string, string> | null; values: Record<string, string>; saved: true };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireStaff(request, context, params.slug);
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const roundSlug = params.round ?? "";
  const intent = text(form, "intent");
  try {
    if (intent === "class") {
      const nameEn = text(form, "nameEn");
      const nameFa = text(form, "nameFa");
      const code = text(form, "code", 60).toLowerCase();
      const weight = integer(text(form, "weight"), "class_weight", "weight");
      if (!nameEn && !nameFa) throw new VerificationRefused("name_required", "nameEn");
      await saveVoterClass(context.db, access, roundSlug, {
        code,
        weight,
        name: { ...(nameEn ? { en: nameEn } : {}), ...(nameFa ? { fa: nameFa } : {}) },
      });
    } else if (intent === "deleteClass") {
      await deleteVoterClass(context.db, access, roundSlug, text(form, "code", 60));
    } else if (intent === "rules") {
      const all = form.get("allDistricts") === "on";
      const chosen = form.getAll("districtIds").filter((v): v is string => typeof v === "string");
      const minAgeRaw = text(form, "minAge");
      await saveEligibility(context.db, access, roundSlug, {
        districtIds: all ? null : chosen,
        minAge: minAgeRaw === "" ? null : integer(minAgeRaw, "min_age", "minAge"),
        verifiedToPropose: form.get("verifiedToPropose") === "on",
        verifiedToComment: form.get("verifiedToComment") === "on",
      });
    } else {
      throw new VerificationRefused("class_unknown");
    }
  } catch (error) {
    if (error instanceof VerificationRefused && error.code === "round_unknown") throw notFound("round");
    return verificationFailure(error, t, {
      intent,
      code: text(form, "code", 60),
      nameEn: text(form, "nameEn"),
      nameFa: text(form, "nameFa"),
      weight: text(form, "weight"),
      minAge: text(form, "minAge"),
    });
  }
  return json<Outcome>({ errors: null, values: {}, saved: true });
}

export default function RoundEligibilityAdmin() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors ?? undefined;
  const values = result?.values ?? {};
  const rules = data.rules;
  const disabled = rules.frozen;
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/admin/rounds/${data.round.slug}`}>{pickText(data.round.title, locale)}</Link>
      </p>
      <h1>{t("verification.eligibility.title", { round: pickText(data.round.title, locale) })}</h1>
      {rules.frozen ? (
        <p className="notice" role="status">
          {t("verification.eligibility.frozen")}
        </p>
      ) : null}
      {result && "saved" in result ? (
        <p className="notice" role="status">
          {t("verification.eligibility.saved")}
        </p>
      ) : null}
      <ErrorSummary errors={errors} />

      <h2>{t("verification.eligibility.classes")}</h2>
      <p>{t("verification.eligibility.classesHelp")}</p>
      {rules.classes.length === 0 ? <p>{t("verification.eligibility.noClasses")}</p> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">{t("verification.eligibility.code")}</th>
            <th scope="col">{t("verification.eligibility.nameEn")}</th>
            <th scope="col">{t("verification.eligibility.nameFa")}</th>
            <th scope="col">{t("verification.eligibility.weight")}</th>
            <th scope="col">
              <span className="visually-hidden">{t("verification.eligibility.actions")}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rules.classes.map((c) => (
            <tr key={c.code}>
              <td>
                <code>{c.code}</code>
              </td>
              <td>{c.name.en ?? ""}</td>
              <td>{c.name.fa ?? ""}</td>
              <td>{c.weight}</td>
              <td>
                {disabled ? null : (
                  <PostForm>
                    <input type="hidden" name="intent" value="deleteClass" />
                    <input type="hidden" name="code" value={c.code} />
                    <button type="submit">{t("verification.eligibility.deleteClass")}</button>
                  </PostForm>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {disabled ? null : (
        <>
          <h3 id="add-class">{t("verification.eligibility.addClass")}</h3>
          <PostForm noValidate aria-labelledby="add-class">
            <input type="hidden" name="intent" value="class" />
            <Field
              name="code"
              label={t("verification.eligibility.code")}
              defaultValue={values.code}
              error={errors?.code}
              dir="ltr"
            />
            <Field
              name="nameEn"
              label={t("verification.eligibility.nameEn")}
              defaultValue={values.nameEn}
              error={errors?.nameEn}
              dir="ltr"
            />
            <Field name="nameFa" label={t("verification.eligibility.nameFa")} defaultValue={values.nameFa} dir="rtl" />
            <Field
              name="weight"
              type="number"
              label={t("verification.eligibility.weight")}
              defaultValue={values.weight ?? "1"}
              error={errors?.weight}
              dir="ltr"
            />
            <button type="submit">{t("verification.eligibility.saveClass")}</button>
          </PostForm>
        </>
      )}

      <h2 id="rules">{t("verification.eligibility.rules")}</h2>
      <PostForm noValidate aria-labelledby="rules">
        <input type="hidden" name="intent" value="rules" />
        <fieldset disabled={disabled}>
          <legend>{t("verification.eligibility.districts")}</legend>
          {errors?.districtIds ? <p className="field-error">{errors.districtIds}</p> : null}
          <p>
            <input
              id="field-allDistricts"
              type="checkbox"
              name="allDistricts"
              defaultChecked={rules.districtIds === null}
            />{" "}
            <label htmlFor="field-allDistricts">{t("verification.eligibility.allDistricts")}</label>
          </p>
          {data.districts.map((d) => (
            <p key={d.id}>
              <input
                id={`district-${d.id}`}
                type="checkbox"
                name="districtIds"
                value={d.id}
                defaultChecked={rules.districtIds?.includes(d.id) ?? false}
              />{" "}
              <label htmlFor={`district-${d.id}`}>{pickText(d.name, locale)}</label>
            </p>
          ))}
        </fieldset>
        <fieldset disabled={disabled}>
          <legend>{t("verification.eligibility.rules")}</legend>
          <Field
            name="minAge"
            type="number"
            label={t("verification.eligibility.minAge")}
            defaultValue={values.minAge ?? (rules.minAge === null ? "" : String(rules.minAge))}
            error={errors?.minAge}
            dir="ltr"
          />
          <p>
            <input
              id="field-verifiedToPropose"
              type="checkbox"
              name="verifiedToPropose"
              defaultChecked={rules.verifiedToPropose}
            />{" "}
            <label htmlFor="field-verifiedToPropose">{t("verification.eligibility.verifiedToPropose")}</label>
          </p>
          <p>
            <input
              id="field-verifiedToComment"
              type="checkbox"
              name="verifiedToComment"
              defaultChecked={rules.verifiedToComment}
            />{" "}
            <label htmlFor="field-verifiedToComment">{t("verification.eligibility.verifiedToComment")}</label>
          </p>
        </fieldset>
        {disabled ? null : <button type="submit">{t("verification.eligibility.saveRules")}</button>}
      </PostForm>
    </>
  );
}
