import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import type { BallotBody } from "../domain/ballots/rules";
import { checkBallot } from "../domain/ballots/rules";
import { hintText, violationText } from "../domain/ballots/messages";
import { type BallotTypeModule, ballotType } from "../domain/ballots/types";
import { formatMoney, formatNumber, pickText, translator } from "../domain/i18n";
import { currentPhase, dayIn } from "../domain/rounds/phases";
import { BallotRefused, ballotSheetOf, castBallot, saveBasket } from "../services/ballots/ballots.server";
import { scopeOf, userActor } from "../services/scope";
import { validateForm } from "../web/forms.server";
import { ballotMessages } from "../web/refusal-messages/ballots";
import { readForm } from "../web/csrf.server";
import { requireVoterPath } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { voterStanding } from "../services/verification/eligibility.server";
import { asciiDigits } from "../domain/verification/ids";
import { pageTitle } from "../components/page-title";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t, locale) => [data && t("vote.title", { envelope: pickText(data.envelope.name, locale) })]);

/** The address, the logged-in voter and their standing in the round: what the page and the cast both need. */
async function voterContext(args: LoaderFunctionArgs) {
  const { municipality, user, round, envelope } = await requireVoterPath(args.request, args.context, args.params);
  const scope = scopeOf(municipality, userActor(user));
  const { rules, standing } = await voterStanding(args.context.db, scope, {
    roundId: round.id,
    envelopeDistrictId: envelope.districtId,
  });
  return { municipality, user, round, envelope, phases: rules.phases, standing, scope };
}

/** The two buttons of the ballot form: keep the basket as a draft (also without an intent), or cast it. */
const ballotFields = { approved: z.union([z.string(), z.array(z.string())]).optional() };
const voteSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.undefined(), ...ballotFields }).passthrough(),
  z.object({ intent: z.literal("save"), ...ballotFields }).passthrough(),
  z.object({ intent: z.literal("cast"), ...ballotFields }).passthrough(),
]);

/** The basket a form describes, read by the envelope's ballot type: checked proposals, or `points.<id>` fields. */
function bodyFromForm(data: z.infer<typeof voteSchema>, type: BallotTypeModule): BallotBody {
  const points: Record<string, number> = {};
  for (const [key, raw] of Object.entries(data)) {
    if (!key.startsWith("points.")) continue;
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      if (typeof value !== "string" || value.trim() === "") continue;
      points[key.slice(7)] = Number(asciiDigits(value));
    }
  }
  const approved = data.approved === undefined ? [] : Array.isArray(data.approved) ? data.approved : [data.approved];
  return type.fromForm({ approved, points });
}

export async function loader(args: LoaderFunctionArgs) {
  const c = await voterContext(args);
  const sheet = await ballotSheetOf(args.context.db, c.scope, { envelopeId: c.envelope.id });
  const basket = sheet.basket ?? ballotType(c.envelope.ballotType).empty();
  const summary = checkBallot(c.envelope, sheet.proposals, basket, { final: false });
  return json({
    slug: c.municipality.slug,
    currency: c.municipality.currency,
    round: { slug: c.round.slug, title: c.round.title },
    envelope: {
      slug: c.envelope.slug,
      name: c.envelope.name,
      amount: c.envelope.amount,
      ballotType: c.envelope.ballotType,
      maxProjects: c.envelope.maxProjects,
      maxPoints: c.envelope.maxPoints,
    },
    voting: currentPhase(c.phases, dayIn(c.municipality.timeZone))?.kind === "voting",
    weight: c.standing?.weight ?? null,
    proposals: sheet.proposals,
    basket,
    summary: { count: summary.count, totalCost: summary.totalCost, totalPoints: summary.totalPoints },
  });
}

type Outcome = {
  errors: Record<string, string> | null;
  notice: string | null;
  receipt: { ballotId: string; leafIndex: number } | null;
};

export async function action(args: ActionFunctionArgs) {
  const c = await voterContext(args);
  const form = await readForm(args.request);
  const locale = requestLocale(args.request);
  const t = translator(locale);
  const parsed = validateForm(voteSchema, form, t, { approved: "round.proposals" });
  if (!parsed.ok) return json<Outcome>({ errors: parsed.errors, notice: null, receipt: null }, { status: 400 });
  const money = (n: number) => formatMoney(locale, n, c.municipality.currency);
  const body = bodyFromForm(parsed.data, ballotType(c.envelope.ballotType));
  const { scope } = c;
  try {
    if (parsed.data.intent === "cast") {
      if (!c.standing)
        return json<Outcome>({ errors: { form: t("vote.notEligible") }, notice: null, receipt: null }, { status: 403 });
      const receipt = await castBallot(args.context.db, scope, {
        roundId: c.round.id,
        roundSlug: c.round.slug,
        envelope: c.envelope,
        voter: c.standing,
        body,
        channel: "online",
      });
      return json<Outcome>({
        errors: null,
        notice: t("vote.cast.done"),
        receipt: { ballotId: receipt.ballotId, leafIndex: receipt.leafIndex },
      });
    }
    await saveBasket(args.context.db, scope, { envelope: c.envelope, body });
    return json<Outcome>({ errors: null, notice: t("vote.saved"), receipt: null });
  } catch (error) {
    if (!(error instanceof BallotRefused)) throw error;
    // Every broken envelope rule gets its own message.
    const messages = error.violations.length
      ? error.violations.map((v) => violationText(t, v, money))
      : [t(ballotMessages[error.code])];
    return json<Outcome>(
      {
        errors: Object.fromEntries(messages.map((m, i) => [i === 0 ? "form" : `rule${i}`, m])),
        notice: null,
        receipt: null,
      },
      { status: error.status === 409 ? 409 : 400 },
    );
  }
}

export default function Vote() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const base = `/m/${data.slug}/rounds/${data.round.slug}`;
  const type = ballotType(data.envelope.ballotType);
  const money = (n: number) => formatMoney(locale, n, data.currency);
  const approved = new Set("approved" in data.basket ? data.basket.approved : []);
  const points = "points" in data.basket ? data.basket.points : {};
  return (
    <>
      <p>
        <Link to={base}>{pickText(data.round.title, locale)}</Link>
      </p>
      <h1>{t("vote.title", { envelope: pickText(data.envelope.name, locale) })}</h1>
      {!data.voting ? <p className="notice">{t("vote.notVoting")}</p> : null}
      {data.weight === null ? (
        <p className="notice">
          {t("vote.notEligible")} <Link to={`${base}/eligibility`}>{t("vote.whyLink")}</Link> ·{" "}
          <Link to={`/m/${data.slug}/verify?next=${encodeURIComponent(`${base}/vote/${data.envelope.slug}`)}`}>
            {t("verification.title")}
          </Link>
        </p>
      ) : (
        <p>{t("vote.weight", { weight: data.weight })}</p>
      )}
      <p>{hintText(t, type.rulesHint(data.envelope), money)}</p>
      <ErrorSummary errors={result?.errors} />
      {result?.notice ? (
        <div className="notice" role="status">
          <p>{result.notice}</p>
          {result.receipt ? (
            <>
              <p>
                {t("vote.receipt.ballot")}: <code dir="ltr">{result.receipt.ballotId}</code> — {t("vote.receipt.leaf")}:{" "}
                {formatNumber(locale, result.receipt.leafIndex)}
              </p>
              <p>{t("vote.receipt.keep")}</p>
              <p>
                <Link to={`${base}/receipt?ballot=${result.receipt.ballotId}`}>{t("vote.receipt.check")}</Link>
              </p>
              <p className="hint">{t("vote.revote")}</p>
            </>
          ) : null}
        </div>
      ) : null}
      <PostForm>
        <fieldset>
          <legend>{t("round.proposals")}</legend>
          {data.proposals.map((p) =>
            type.body === "points" ? (
              <div key={p.id} className="field">
                <label htmlFor={`points-${p.id}`}>
                  {t("vote.pointsFor", { title: pickText(p.title, locale) })} ({money(p.cost)})
                </label>
                <input
                  id={`points-${p.id}`}
                  name={`points.${p.id}`}
                  inputMode="numeric"
                  defaultValue={points[p.id] ?? ""}
                  dir="ltr"
                />
              </div>
            ) : (
              <div key={p.id} className="field">
                <label>
                  <input type="checkbox" name="approved" value={p.id} defaultChecked={approved.has(p.id)} />{" "}
                  {pickText(p.title, locale)} — <span className="num">{money(p.cost)}</span>
                </label>
              </div>
            ),
          )}
        </fieldset>
        <p role="status">{hintText(t, type.totalHint(data.summary, data.envelope), money)}</p>
        <button type="submit" name="intent" value="save" className="secondary">
          {t("vote.save")}
        </button>{" "}
        <button type="submit" name="intent" value="cast" disabled={!data.voting || data.weight === null}>
          {t("vote.cast")}
        </button>
      </PostForm>
    </>
  );
}
