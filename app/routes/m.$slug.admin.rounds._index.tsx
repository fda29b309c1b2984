import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, Field, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { LocalizedFields, PhaseFields, SelectField } from "../components/rounds";
import { pickText, translator } from "../domain/i18n";
import { readForm } from "../web/csrf.server";
import { formFailure } from "../web/forms.server";
import { requireStaff } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { parseRoundForm } from "../web/round-forms.server";
import { createRound } from "../services/rounds/rounds-admin.server";
import { roundsOf } from "../services/rounds/rounds.server";
import { pageTitle } from "../components/page-title";
import { scopeOf, userActor } from "../services/scope";
import { roundRefusalResponse } from "../web/refusal-messages/rounds";
import { phaseLabel, roundKindLabel } from "../components/labels";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("rounds.manage"));

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireStaff(request, context, params.slug);
  const list = await roundsOf(context.db, scopeOf(municipality, userActor(user)));
  return json({
    municipality: { slug: municipality.slug, name: municipality.name, timeZone: municipality.timeZone },
    rounds: list.map((r) => ({ slug: r.slug, kind: r.kind, title: r.title, currentPhase: r.currentPhase })),
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireStaff(request, context, params.slug);
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const parsed = parseRoundForm(form, t, true);
  if (!parsed.ok) return formFailure(400, parsed.errors, parsed.values);
  try {
    await createRound(context.db, scopeOf(access.municipality, userActor(access.user)), parsed.data);
  } catch (error) {
    return roundRefusalResponse(error, t, parsed.values);
  }
  return redirect(`/m/${access.municipality.slug}/admin/rounds/${parsed.data.slug}`);
}

export default function StaffRounds() {
  const t = useT();
  const locale = useLocale();
  const { municipality, rounds } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const values = data?.values ?? {};
  return (
    <>
      <p>
        <Link to={`/m/${municipality.slug}/admin`}>{pickText(municipality.name, locale)}</Link>
      </p>
      <h1>{t("rounds.manage")}</h1>
      <ul className="card-list">
        {rounds.map((r) => (
          <li key={r.slug}>
            <Link to={`/m/${municipality.slug}/admin/rounds/${r.slug}`}>{pickText(r.title, locale)}</Link>{" "}
            <span className="tag">{t(roundKindLabel[r.kind])}</span>{" "}
            <span className="tag">{r.currentPhase ? t(phaseLabel[r.currentPhase]) : t("round.noCurrentPhase")}</span>
          </li>
        ))}
      </ul>
      <h2>{t("rounds.create")}</h2>
      <ErrorSummary errors={data?.errors} />
      <PostForm noValidate>
        <Field
          name="slug"
          label={t("rounds.slug")}
          defaultValue={values.slug}
          error={data?.errors?.slug}
          required
          dir="ltr"
        />
        <SelectField
          name="kind"
          label={t("rounds.kind")}
          defaultValue={values.kind ?? "budgeting"}
          error={data?.errors?.kind}
          options={[
            { value: "budgeting", label: t("round.kind.budgeting") },
            { value: "consultation", label: t("round.kind.consultation") },
          ]}
        />
        <LocalizedFields
          name="title"
          labelEn="rounds.titleEn"
          labelFa="rounds.titleFa"
          values={values}
          errors={data?.errors}
        />
        <LocalizedFields
          name="description"
          labelEn="rounds.descriptionEn"
          labelFa="rounds.descriptionFa"
          values={values}
          errors={data?.errors}
          multiline
        />
        <PhaseFields values={values} errors={data?.errors} timeZone={municipality.timeZone} />
        <button type="submit">{t("rounds.createSubmit")}</button>
      </PostForm>
    </>
  );
}
