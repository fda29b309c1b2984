import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, Notice, Field, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { SelectField, TextArea } from "../components/rounds";
import { RoundStaffNav } from "../components/staff-nav";
import { type MessageKey, formatNumber, formatPercent, pickText, translator } from "../domain/i18n";
import { readForm } from "../web/csrf.server";
import { requireStaff } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { requestLocale } from "../web/locale.server";
import { refusalResponseFrom } from "../web/refusals.server";
import { findRound } from "../services/rounds/rounds-admin.server";
import { QUESTION_KINDS, type QuestionKind } from "../domain/rounds/survey";
import { addQuestion, deleteQuestion, moveQuestion, surveyResults } from "../services/participation/surveys.server";
import { pageTitle } from "../components/page-title";
import { scopeOf, userActor } from "../services/scope";
import { surveyMessages, surveyProblemErrors } from "../web/refusal-messages/rounds";
import { z } from "zod";
import { validateForm } from "../web/forms.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t, locale) => [t("survey.manage"), data && pickText(data.round.title, locale)]);

/** Staff: the round's survey questions and the results so far. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireStaff(request, context, params.slug);
  const scope = scopeOf(municipality, userActor(user));
  const round = await findRound(context.db, scope, { slug: params.round ?? "" });
  if (!round) throw notFound("round");
  const results = await surveyResults(context.db, scope, { roundId: round.id });
  return json({ slug: municipality.slug, round: { slug: round.slug, title: round.title, kind: round.kind }, results });
}

// What a question needs (a known kind, a prompt, two options or more) is checked by the use case,
// which names every field at once.
const text = z.string().default("");
// Any intent but delete, up and down adds a question.
const moves = ["delete", "up", "down"];
const surveySchema = z.preprocess(
  (raw) => {
    const given = String((raw as { intent?: unknown }).intent ?? "");
    return { ...(raw as object), intent: moves.includes(given) ? given : "add" };
  },
  z.discriminatedUnion("intent", [
    z.object({ intent: z.literal("add"), kind: text, promptEn: text, promptFa: text, options: text, required: text }),
    z.object({ intent: z.literal("delete"), questionId: text }),
    z.object({ intent: z.literal("up"), questionId: text }),
    z.object({ intent: z.literal("down"), questionId: text }),
  ]),
);

const kindLabel: Record<QuestionKind, MessageKey> = {
  single: "survey.kind.single",
  multiple: "survey.kind.multiple",
  scale: "survey.kind.scale",
  text: "survey.kind.text",
};

type Outcome = { errors: Record<string, string> | null; values: Record<string, string>; notice?: string };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireStaff(request, context, params.slug);
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const parsed = validateForm(surveySchema, form, t, {
    kind: "survey.kind",
    promptEn: "survey.promptEn",
    promptFa: "survey.promptFa",
    options: "survey.options",
  });
  if (!parsed.ok) return json<Outcome>({ errors: parsed.errors, values: parsed.values }, { status: 400 });
  const input = parsed.data;
  const values =
    input.intent === "add"
      ? {
          kind: input.kind,
          promptEn: input.promptEn.slice(0, 1000),
          promptFa: input.promptFa.slice(0, 1000),
          options: input.options.slice(0, 10_000),
        }
      : { kind: "", promptEn: "", promptFa: "", options: "" };
  const roundSlug = params.round ?? "";
  const scope = scopeOf(access.municipality, userActor(access.user));
  try {
    if (input.intent === "delete") await deleteQuestion(context.db, scope, { roundSlug, questionId: input.questionId });
    else if (input.intent === "up" || input.intent === "down")
      await moveQuestion(context.db, scope, { roundSlug, questionId: input.questionId, direction: input.intent });
    else {
      await addQuestion(context.db, scope, { roundSlug, question: { ...values, required: input.required === "on" } });
      return json<Outcome>({ errors: null, values: {}, notice: t("survey.added") });
    }
    return json<Outcome>({ errors: null, values: {} });
  } catch (error) {
    const errors = surveyProblemErrors(error, t);
    if (errors) return json<Outcome>({ errors, values }, { status: 400 });
    return refusalResponseFrom(error, t, values, surveyMessages);
  }
}

export default function StaffSurvey() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Outcome | undefined;
  const errors = result?.errors ?? {};
  const values = result?.values ?? {};
  const { results } = data;
  return (
    <>
      <RoundStaffNav slug={data.slug} round={data.round.slug} />
      <h1>
        {t("survey.manage")} — {pickText(data.round.title, locale)}
      </h1>
      <Notice text={result?.notice} />
      <ErrorSummary errors={result?.errors} />
      <h2>{t("survey.questions")}</h2>
      {results.questions.length === 0 ? <p>{t("survey.none")}</p> : null}
      <ol>
        {results.questions.map(({ question: q }, i) => (
          <li key={q.id}>
            {pickText(q.prompt, locale)} — {t(kindLabel[q.kind])}
            {q.required ? ` ${t("survey.required")}` : ""}
            {q.options.length ? ` (${q.options.map((o) => pickText(o, locale)).join(" · ")})` : ""}{" "}
            {[
              ["up", t("survey.up"), i > 0],
              ["down", t("survey.down"), i < results.questions.length - 1],
              ["delete", t("survey.delete"), results.respondents === 0],
            ].map(([intent, label, shown]) =>
              shown ? (
                <PostForm key={String(intent)} className="inline-form">
                  <input type="hidden" name="intent" value={String(intent)} />
                  <input type="hidden" name="questionId" value={q.id} />{" "}
                  <button type="submit" className="link-button" aria-label={`${label}: ${pickText(q.prompt, locale)}`}>
                    {label}
                  </button>
                </PostForm>
              ) : null,
            )}
          </li>
        ))}
      </ol>
      <h2 id="add-question">{t("survey.add")}</h2>
      <PostForm aria-labelledby="add-question">
        <input type="hidden" name="intent" value="add" />
        <SelectField
          name="kind"
          label={t("survey.kind")}
          defaultValue={values.kind ?? "single"}
          error={errors.kind}
          options={QUESTION_KINDS.map((k) => ({ value: k, label: t(kindLabel[k]) }))}
        />
        <Field
          name="promptEn"
          label={t("survey.promptEn")}
          defaultValue={values.promptEn}
          error={errors.promptEn}
          dir="ltr"
        />
        <Field
          name="promptFa"
          label={t("survey.promptFa")}
          defaultValue={values.promptFa}
          error={errors.promptFa}
          dir="rtl"
        />
        <TextArea
          name="options"
          label={t("survey.options")}
          defaultValue={values.options}
          error={errors.options}
          dir="auto"
        />
        <div className="field">
          <input id="field-required" name="required" type="checkbox" />{" "}
          <label htmlFor="field-required">{t("survey.requiredLabel")}</label>
        </div>
        <button type="submit">{t("survey.addSubmit")}</button>
      </PostForm>

      <h2>{t("survey.results")}</h2>
      <p>
        {t("survey.respondents", { count: results.respondents })}{" "}
        <a href={`/m/${data.slug}/admin/rounds/${data.round.slug}/survey.csv`} download>
          {t("survey.csv")}
        </a>
      </p>
      {results.questions.map((r) => (
        <section key={r.question.id} aria-labelledby={`result-${r.question.id}`}>
          <h3 id={`result-${r.question.id}`}>{pickText(r.question.prompt, locale)}</h3>
          <p>
            {t("survey.answered", { count: r.answered })}
            {r.mean !== null ? ` ${t("survey.mean", { mean: formatNumber(locale, r.mean) })}` : ""}
          </p>
          {r.options.length ? (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("survey.option")}</th>
                  <th scope="col">{t("survey.count")}</th>
                  <th scope="col">{t("survey.percent")}</th>
                </tr>
              </thead>
              <tbody>
                {r.options.map((o, i) =>
                  o ? (
                    // biome-ignore lint/suspicious/noArrayIndexKey: options keep their order.
                    <tr key={i}>
                      <th scope="row">{pickText(o.label, locale)}</th>
                      <td className="num">{formatNumber(locale, o.count)}</td>
                      <td className="num">{formatPercent(locale, o.percent)}</td>
                    </tr>
                  ) : null,
                )}
              </tbody>
            </table>
          ) : (
            <>
              <h4>{t("survey.texts")}</h4>
              <ul>
                {r.texts.map((text, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: answers keep their order.
                  <li key={i} dir="auto" style={{ whiteSpace: "pre-line" }}>
                    {text}
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      ))}
    </>
  );
}
