import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { LocalizedFields, PhaseFields } from "../components/rounds";
import { RoundStaffNav } from "../components/staff-nav";
import { type Translator, pickText, translator } from "../domain/i18n";
import { readForm } from "../web/csrf.server";
import { type FieldErrors, formFailure, validateForm } from "../web/forms.server";
import { requireStaff } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { requestLocale } from "../web/locale.server";
import { isPublished } from "../services/tally/publish.server";
import { parseRoundForm } from "../web/round-forms.server";
import { advancePhase, changePhaseNow, roundForStaff, updateRound } from "../services/rounds/rounds-admin.server";
import { currentPhase } from "../domain/rounds/phases";
import { pageTitle } from "../components/page-title";
import { type Scope, scopeOf, userActor } from "../services/scope";
import { roundRefusalResponse } from "../web/refusal-messages/rounds";
import { z } from "zod";
import { phaseLabel } from "../components/labels";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (_t, locale) => [data && pickText(data.round.title, locale)]);

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireStaff(request, context, params.slug);
  const found = await roundForStaff(context.db, scopeOf(municipality, userActor(user)), { slug: params.round ?? "" });
  if (!found) throw notFound("round");
  const values = savedValues(found);
  return json({
    slug: municipality.slug,
    timeZone: municipality.timeZone,
    round: { slug: found.round.slug, title: found.round.title, kind: found.round.kind },
    currentPhase: currentPhase(found.phases, found.today)?.kind ?? null,
    published: await isPublished(context.db, found.round.id),
    frozen: found.frozen,
    votingClosed: found.phases.some((p) => p.kind === "voting" && (p.endsOn < found.today || Boolean(p.closedAt))),
    canOpenVoting: found.phases.some((p) => p.kind === "voting" && !p.closedAt && p.startsOn > found.today),
    values,
  });
}

/** The round's form as saved: what the page shows, and what a refused phase change shows again. */
function savedValues(found: NonNullable<Awaited<ReturnType<typeof roundForStaff>>>) {
  const values: Record<string, string> = {
    titleEn: found.round.title.en ?? "",
    titleFa: found.round.title.fa ?? "",
    descriptionEn: found.round.description.en ?? "",
    descriptionFa: found.round.description.fa ?? "",
  };
  for (const p of found.phases) {
    values[`${p.kind}.startsOn`] = p.startsOn;
    values[`${p.kind}.endsOn`] = p.endsOn;
  }
  return values;
}

/** A refused phase change re-renders the round's form with what is saved, never blanks. */
async function refusedPhaseChange(
  error: unknown,
  t: Translator,
  db: ActionFunctionArgs["context"]["db"],
  scope: Scope,
  slug: string,
) {
  const found = await roundForStaff(db, scope, { slug });
  return roundRefusalResponse(error, t, found ? savedValues(found) : {});
}

/**
 * The advance button sends `advance`; "open voting now" and "close voting now" send their change and,
 * once confirmed on the page the first press shows (no JavaScript needed), `confirmed=yes` (ADR 0028);
 * anything else is the round's form, which parseRoundForm reads.
 */
const intentSchema = z.object({
  intent: z.enum(["advance", "open_voting", "close_voting", "save"]).catch("save"),
  confirmed: z.literal("yes").optional().catch(undefined),
});

type PhaseChange = "open_voting" | "close_voting";
type Outcome = {
  errors: FieldErrors | null;
  values: Record<string, string>;
  notice: string | null;
  confirm?: PhaseChange;
};

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireStaff(request, context, params.slug);
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const roundSlug = params.round ?? "";
  const scope = scopeOf(access.municipality, userActor(access.user));
  const choice = validateForm(intentSchema, form, t, {});
  if (choice.ok && (choice.data.intent === "open_voting" || choice.data.intent === "close_voting")) {
    const change = choice.data.intent;
    if (choice.data.confirmed !== "yes")
      return json<Outcome>({ errors: null, values: {}, notice: null, confirm: change });
    try {
      await changePhaseNow(context.db, scope, { slug: roundSlug, change });
      return json<Outcome>({ errors: null, values: {}, notice: t(`staff.done.${change}`) });
    } catch (error) {
      return refusedPhaseChange(error, t, context.db, scope, roundSlug);
    }
  }
  if (choice.ok && choice.data.intent === "advance") {
    try {
      const outcome = await advancePhase(context.db, scope, { slug: roundSlug });
      if (!outcome.ok) throw new Error("unreachable");
      return json<Outcome>({
        errors: null,
        values: {},
        notice: t("rounds.advanced", { phase: t(phaseLabel[outcome.to]) }),
      });
    } catch (error) {
      return refusedPhaseChange(error, t, context.db, scope, roundSlug);
    }
  }
  const parsed = parseRoundForm(form, t, false);
  if (!parsed.ok) return formFailure(400, parsed.errors, parsed.values);
  try {
    await updateRound(context.db, scope, { slug: roundSlug, ...parsed.data });
  } catch (error) {
    return roundRefusalResponse(error, t, parsed.values);
  }
  return json<Outcome>({ errors: null, values: parsed.values, notice: t("rounds.saved") });
}

export default function StaffRound() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  // A refused phase change has no round form values: the form keeps what was saved (never blanks).
  const values = result?.errors && Object.keys(result.values).length ? result.values : data.values;
  const notice = result && "notice" in result ? result.notice : null;
  const confirm = result && "confirm" in result ? result.confirm : undefined;
  return (
    <>
      <RoundStaffNav slug={data.slug} round={data.round.slug} />
      <h1>{pickText(data.round.title, locale)}</h1>
      <p>
        {t("round.currentPhase")}:{" "}
        <strong>{data.currentPhase ? t(phaseLabel[data.currentPhase]) : t("round.noCurrentPhase")}</strong>
      </p>
      {data.votingClosed ? (
        <p className="notice">{t("rounds.votingClosedNotice")}</p>
      ) : data.frozen ? (
        <p className="notice">{t("rounds.frozenNotice")}</p>
      ) : null}
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <ErrorSummary errors={result?.errors} />
      {data.published ? (
        <>
          <p className="notice">{t("rounds.publishedNotice")}</p>
          <p>
            <Link to={`/m/${data.slug}/rounds/${data.round.slug}/results`}>{t("staff.resultsLink")}</Link>
          </p>
        </>
      ) : (
        <>
          {confirm ? (
            <ConfirmPhaseChange change={confirm} />
          ) : data.round.kind === "budgeting" && (data.canOpenVoting || data.currentPhase === "voting") ? (
            <section aria-labelledby="phase-controls">
              <h2 id="phase-controls">{t("staff.phaseControls")}</h2>
              <p className="hint">{t("staff.phaseControlsHelp")}</p>
              <PostForm>
                <input
                  type="hidden"
                  name="intent"
                  value={data.currentPhase === "voting" ? "close_voting" : "open_voting"}
                />
                <button type="submit">
                  {t(data.currentPhase === "voting" ? "staff.closeVoting" : "staff.openVoting")}
                </button>
              </PostForm>
            </section>
          ) : null}
          <RoundForms values={values} errors={result?.errors} timeZone={data.timeZone} />
        </>
      )}
    </>
  );
}

/** The server-side confirmation step of a phase change: works without JavaScript (ADR 0028). */
function ConfirmPhaseChange({ change }: { change: PhaseChange }) {
  const t = useT();
  return (
    <section className="confirm" aria-labelledby="confirm-change">
      <h2 id="confirm-change">{t(change === "open_voting" ? "staff.openVoting" : "staff.closeVoting")}</h2>
      <p>{t(`staff.confirm.${change}`)}</p>
      <PostForm>
        <input type="hidden" name="intent" value={change} />
        <input type="hidden" name="confirmed" value="yes" />
        <button type="submit">{t("staff.confirm.yes")}</button> <Link to=".">{t("staff.confirm.cancel")}</Link>
      </PostForm>
    </section>
  );
}

/** Advancing the phase and editing texts and dates: until the results are published. */
function RoundForms({
  values,
  errors,
  timeZone,
}: {
  values: Record<string, string>;
  errors: FieldErrors | null | undefined;
  timeZone: string;
}) {
  const t = useT();
  return (
    <>
      <PostForm>
        <input type="hidden" name="intent" value="advance" />
        <button type="submit" className="secondary">
          {t("rounds.advance")}
        </button>
      </PostForm>
      <PostForm noValidate key={JSON.stringify(values)}>
        <input type="hidden" name="intent" value="save" />
        <LocalizedFields
          name="title"
          labelEn="rounds.titleEn"
          labelFa="rounds.titleFa"
          values={values}
          errors={errors}
        />
        <LocalizedFields
          name="description"
          labelEn="rounds.descriptionEn"
          labelFa="rounds.descriptionFa"
          values={values}
          errors={errors}
          multiline
        />
        <PhaseFields values={values} errors={errors} timeZone={timeZone} />
        <button type="submit">{t("rounds.save")}</button>
      </PostForm>
    </>
  );
}
