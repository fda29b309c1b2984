import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, Notice, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { formatNumber, pickText, translator } from "../domain/i18n";
import { readForm } from "../web/csrf.server";
import { optionalUser, requireMunicipality, requireUser } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { requestLocale } from "../web/locale.server";
import { refusalResponseFrom } from "../web/refusals.server";
import { findRound } from "../services/rounds/rounds-admin.server";
import { answerSurvey, ownAnswers, surveyOpen, surveyQuestionsOf } from "../services/participation/surveys.server";
import { pageTitle } from "../components/page-title";
import { observer, scopeOf, userActor } from "../services/scope";
import { surveyMessages, surveyProblemErrors } from "../web/refusal-messages/rounds";
import { z } from "zod";
import { validateForm } from "../web/forms.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t, locale) => [data && t("survey.title", { round: pickText(data.round.title, locale) })]);

/** A round's survey: anyone may read it; logged-in residents answer (and change their answers while open). */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const round = await findRound(context.db, scopeOf(municipality, observer), { slug: params.round ?? "" });
  if (!round) throw notFound("round");
  const current = await optionalUser(request, context);
  const scope = scopeOf(municipality, current ? userActor(current.user) : observer);
  const [questions, open, answers] = await Promise.all([
    surveyQuestionsOf(context.db, scope, { roundId: round.id }),
    surveyOpen(context.db, scope, { roundId: round.id }),
    current ? ownAnswers(context.db, scope, { roundId: round.id }) : Promise.resolve(null),
  ]);
  return json({
    slug: municipality.slug,
    round: { slug: round.slug, title: round.title },
    questions: questions.map((q) => ({
      id: q.id,
      kind: q.kind,
      prompt: q.prompt,
      options: q.options,
      required: q.required,
    })),
    open,
    loggedIn: current !== null,
    answers,
  });
}

/**
 * Every `q-<question id>` field with its text values (several for multiple choice); whether they answer
 * their questions is checked by the use case, which names each question.
 */
const answersSchema = z
  .record(
    z.preprocess(
      (v) => (Array.isArray(v) ? v : [v]),
      z.array(z.unknown()).transform((vs) => vs.filter((x) => typeof x === "string").map((x) => x.slice(0, 5000))),
    ),
  )
  .transform(
    (fields) => new Map(Object.entries(fields).filter(([key, values]) => key.startsWith("q-") && values.length)),
  );

type Outcome = { errors: Record<string, string> | null; notice?: string; given?: Record<string, string[]> };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const round = await findRound(context.db, scopeOf(municipality, observer), { slug: params.round ?? "" });
  if (!round) throw notFound("round");
  const user = await requireUser(request, context);
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const parsed = validateForm(answersSchema, form, t, {});
  const raw = parsed.ok ? parsed.data : new Map<string, string[]>();
  try {
    await answerSurvey(context.db, scopeOf(municipality, userActor(user)), { roundId: round.id, raw });
    return json<Outcome>({ errors: null, notice: t("survey.saved") });
  } catch (error) {
    const errors = surveyProblemErrors(error, t);
    if (errors) {
      // The page comes back with what was given, so nothing is lost (also without JavaScript).
      return json<Outcome>({ errors, given: Object.fromEntries(raw) }, { status: 400 });
    }
    return refusalResponseFrom(error, t, {}, surveyMessages);
  }
}

export default function Survey() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Outcome | undefined;
  const errors = result?.errors ?? {};
  const answers = data.answers ?? {};
  const disabled = !data.open || !data.loggedIn;
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/rounds/${data.round.slug}`}>{pickText(data.round.title, locale)}</Link>
      </p>
      <h1>{t("survey.title", { round: pickText(data.round.title, locale) })}</h1>
      {data.questions.length === 0 ? <p>{t("survey.none")}</p> : <p>{t("survey.intro")}</p>}
      {!data.open ? <p className="notice">{t("survey.closed")}</p> : null}
      {data.open && !data.loggedIn ? (
        <p>
          <Link to="/login">{t("survey.login")}</Link>
        </p>
      ) : null}
      <Notice text={result?.notice} />
      <ErrorSummary errors={result?.errors} />
      {data.questions.length ? (
        <PostForm>
          {data.questions.map((q, n) => {
            const field = `q-${q.id}`;
            const error = errors[field];
            const submitted = result?.given?.[field];
            const given = submitted
              ? q.kind === "text"
                ? submitted.join("\n")
                : q.kind === "scale"
                  ? Number(submitted[0])
                  : submitted.map(Number)
              : answers[q.id];
            const legend = (
              <legend>
                {formatNumber(locale, n + 1)}. {pickText(q.prompt, locale)}{" "}
                {q.required ? <span className="hint">{t("survey.required")}</span> : null}
              </legend>
            );
            const errorLine = error ? (
              <p className="field-error" id={`field-${field}-error`}>
                {error}
              </p>
            ) : null;
            if (q.kind === "text") {
              return (
                <div key={q.id} className={error ? "field field-invalid" : "field"}>
                  <label htmlFor={`field-${field}`}>
                    {formatNumber(locale, n + 1)}. {pickText(q.prompt, locale)} {q.required ? t("survey.required") : ""}
                  </label>
                  {errorLine}
                  <textarea
                    id={`field-${field}`}
                    name={field}
                    rows={4}
                    defaultValue={typeof given === "string" ? given : ""}
                    disabled={disabled}
                    dir="auto"
                    aria-describedby={error ? `field-${field}-error` : undefined}
                  />
                </div>
              );
            }
            const choices =
              q.kind === "scale"
                ? [1, 2, 3, 4, 5].map((v) => ({ value: v, label: formatNumber(locale, v) }))
                : q.options.map((o, i) => ({ value: i, label: pickText(o, locale) }));
            const picked = new Set(Array.isArray(given) ? given : typeof given === "number" ? [given] : []);
            return (
              <fieldset
                key={q.id}
                id={`field-${field}`}
                className={error ? "field field-invalid" : "field"}
                aria-describedby={error ? `field-${field}-error` : undefined}
              >
                {legend}
                {q.kind === "scale" ? <p className="hint">{t("survey.scaleHint")}</p> : null}
                {errorLine}
                {choices.map((c) => (
                  <div key={c.value} className="choice">
                    <input
                      id={`${field}-${c.value}`}
                      type={q.kind === "multiple" ? "checkbox" : "radio"}
                      name={field}
                      value={String(c.value)}
                      defaultChecked={picked.has(c.value)}
                      disabled={disabled}
                    />{" "}
                    <label htmlFor={`${field}-${c.value}`}>{c.label}</label>
                  </div>
                ))}
              </fieldset>
            );
          })}
          {disabled ? null : <button type="submit">{t("survey.submit")}</button>}
        </PostForm>
      ) : null}
    </>
  );
}
