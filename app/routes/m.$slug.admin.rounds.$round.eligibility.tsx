import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { pickText, translator } from "../domain/i18n";
import { readForm } from "../web/csrf.server";
import { validateForm } from "../web/forms.server";
import { requireStaff } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { requestLocale } from "../web/locale.server";
import { verificationRefusal } from "../web/refusal-messages/verification";
import { RefusedError } from "../services/errors.server";
import { scopeOf, userActor } from "../services/scope";
import { districtsOf } from "../services/tenancy/municipality.server";
import {
  deleteVoterClass,
  roundWithRules,
  saveEligibility,
  saveVoterClass,
} from "../services/verification/eligibility.server";
import { VerificationRefused, type VerificationRefusal } from "../services/verification/verifications.server";
import { pageTitle } from "../components/page-title";
import { parseWholeNumber } from "../domain/i18n/numbers";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t, locale) => [
    data && t("verification.eligibility.title", { round: pickText(data.round.title, locale) }),
  ]);

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireStaff(request, context, params.slug);
  const scope = scopeOf(municipality, userActor(user));
  const found = await roundWithRules(context.db, scope, { roundSlug: params.round ?? "" });
  if (!found) throw notFound("round");
  const { round, rules } = found;
  const districtRows = await districtsOf(context.db, scope);
  return json({
    slug: municipality.slug,
    round: { slug: round.slug, title: round.title },
    rules: { ...rules, classes: rules.classes.map((c) => ({ code: c.code, name: c.name, weight: c.weight })) },
    districts: districtRows.map((d) => ({ id: d.id, name: d.name })),
  });
}

/** Text cut to `max` characters and trimmed (the services check the content and name the field). */
const cut = (max = 200) =>
  z
    .string()
    .default("")
    .transform((value) => value.slice(0, max).trim());

const eligibilitySchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("class"), nameEn: cut(), nameFa: cut(), code: cut(60), weight: cut() }),
  z.object({ intent: z.literal("deleteClass"), code: cut(60) }),
  z.object({
    intent: z.literal("rules"),
    allDistricts: z.string().optional(),
    districtIds: z.union([z.string(), z.array(z.string())]).optional(),
    minAge: cut(),
    verifiedToPropose: z.string().optional(),
    verifiedToComment: z.string().optional(),
  }),
]);

/** A whole number typed in a form, or the refusal naming its field. */
function integer(raw: string, code: VerificationRefusal, field: string): number {
  const value = parseWholeNumber(raw);
  if (value === null || value < 0 || value > 999_999) throw new VerificationRefused(code, field);
  return value;
}

type Outcome = { errors: Record<string, string> | null; values: Record<string, string>; saved: true };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireStaff(request, context, params.slug);
  const scope = scopeOf(access.municipality, userActor(access.user));
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const roundSlug = params.round ?? "";
  const parsed = validateForm(eligibilitySchema, form, t, {});
  const input = parsed.ok ? parsed.data : null;
  try {
    if (input?.intent === "class") {
      const weight = integer(input.weight, "class_weight", "weight");
      if (!input.nameEn && !input.nameFa) throw new VerificationRefused("name_required", "nameEn");
      await saveVoterClass(context.db, scope, {
        roundSlug,
        code: input.code.toLowerCase(),
        weight,
        name: { ...(input.nameEn ? { en: input.nameEn } : {}), ...(input.nameFa ? { fa: input.nameFa } : {}) },
      });
    } else if (input?.intent === "deleteClass") {
      await deleteVoterClass(context.db, scope, { roundSlug, code: input.code });
    } else if (input?.intent === "rules") {
      const chosen = input.districtIds === undefined ? [] : [input.districtIds].flat();
      await saveEligibility(context.db, scope, {
        roundSlug,
        districtIds: input.allDistricts === "on" ? null : chosen,
        minAge: input.minAge === "" ? null : integer(input.minAge, "min_age", "minAge"),
        verifiedToPropose: input.verifiedToPropose === "on",
        verifiedToComment: input.verifiedToComment === "on",
      });
    } else {
      throw new VerificationRefused("class_unknown");
    }
  } catch (error) {
    if (error instanceof RefusedError && error.code === "round_unknown") throw notFound("round");
    const typed = input ?? { intent: "" };
    return verificationRefusal(error, t, {
      intent: typed.intent,
      code: "code" in typed ? typed.code : "",
      nameEn: "nameEn" in typed ? typed.nameEn : "",
      nameFa: "nameFa" in typed ? typed.nameFa : "",
      weight: "weight" in typed ? typed.weight : "",
      minAge: "minAge" in typed ? typed.minAge : "",
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
              inputMode="numeric"
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
            inputMode="numeric"
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
