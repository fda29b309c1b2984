import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { RoundStaffNav } from "../components/staff-nav";
import { formatMoney, formatNumber, pickText, translator } from "../domain/i18n";
import type { TraceStep } from "../domain/tally";
import { readForm } from "../web/csrf.server";
import { type FieldErrors, validateForm } from "../web/forms.server";
import { adminOnly, requireStaff } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { requestLocale } from "../web/locale.server";
import { refusalResponseFrom } from "../web/refusals.server";
import { tallyMessages } from "../web/refusal-messages/tally";
import { scopeOf, userActor } from "../services/scope";
import { isPublished, publishRound } from "../services/tally/publish.server";
import { runRoundTally, tallyPageOf } from "../services/tally/tally.server";
import { pageTitle } from "../components/page-title";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t, locale) => [t("rounds.tally.title"), data && pickText(data.round.title, locale)]);

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, role, user } = await requireStaff(request, context, params.slug);
  const page = await tallyPageOf(context.db, scopeOf(municipality, userActor(user)), { roundSlug: params.round ?? "" });
  if (!page) throw notFound("round");
  const { round, envelopes: results } = page;
  return json({
    slug: municipality.slug,
    currency: municipality.currency,
    round: { slug: round.slug, title: round.title },
    canPublish: role === "admin",
    published: await isPublished(context.db, round.id),
    envelopes: results.map(({ envelope, tally, proposals, stale }) => {
      const byId = new Map(proposals.map((p) => [p.id, p]));
      return {
        slug: envelope.slug,
        name: envelope.name,
        amount: envelope.amount,
        stale,
        tally: tally
          ? {
              rule: tally.rule,
              seed: tally.seed,
              ballots: tally.ballots,
              voters: tally.voters,
              selected: tally.selected.map((id) => ({
                id,
                title: byId.get(id)?.title ?? { en: id },
                cost: byId.get(id)?.cost ?? 0,
              })),
              trace: ((tally.result.trace ?? []) as TraceStep[]).map((s) => ({
                ...s,
                title: byId.get(s.project)?.title ?? { en: s.project },
              })),
            }
          : null,
      };
    }),
  });
}

type Outcome = {
  errors: FieldErrors | null;
  values: Record<string, string>;
  ballots: number | null;
  funded?: number;
  confirm?: "tally" | "publish";
};

/**
 * No intent runs the tally; `publish` publishes its results (administrators only, ADR 0019). Both act
 * only with `confirmed=yes`, sent from the confirmation the first press shows (ADR 0028).
 */
const tallySchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.undefined(), confirmed: z.literal("yes").optional().catch(undefined) }),
  z.object({ intent: z.literal("publish"), confirmed: z.literal("yes").optional().catch(undefined) }),
]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireStaff(request, context, params.slug);
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const parsed = validateForm(tallySchema, form, t, {});
  if (!parsed.ok) return json<Outcome>({ errors: parsed.errors, values: {}, ballots: null }, { status: 400 });
  const scope = scopeOf(access.municipality, userActor(access.user));
  const roundSlug = params.round ?? "";
  if (parsed.data.intent === "publish") {
    adminOnly(access);
    if (parsed.data.confirmed !== "yes")
      return json<Outcome>({ errors: null, values: {}, ballots: null, confirm: "publish" });
    try {
      const published = await publishRound(context.db, scope, { roundSlug });
      return json<Outcome>({ errors: null, values: {}, ballots: null, funded: published.funded.length });
    } catch (error) {
      return refusalResponseFrom(error, t, {}, tallyMessages);
    }
  }
  if (parsed.data.confirmed !== "yes")
    return json<Outcome>({ errors: null, values: {}, ballots: null, confirm: "tally" });
  try {
    await runRoundTally(context.db, scope, { roundSlug });
    const page = await tallyPageOf(context.db, scope, { roundSlug });
    return json<Outcome>({
      errors: null,
      values: {},
      ballots: (page?.envelopes ?? []).reduce((s, r) => s + (r.tally?.ballots ?? 0), 0),
    });
  } catch (error) {
    return refusalResponseFrom(error, t, {}, tallyMessages);
  }
}

export default function StaffTally() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const confirm = result && "confirm" in result ? result.confirm : undefined;
  return (
    <>
      <RoundStaffNav slug={data.slug} round={data.round.slug} />
      <h1>
        {t("rounds.tally.title")} — {pickText(data.round.title, locale)}
      </h1>
      <p>{t("rounds.tally.noEdit")}</p>
      <ErrorSummary errors={result?.errors} />
      {result && "ballots" in result && result.ballots !== null ? (
        <p className="notice" role="status">
          {t("rounds.tally.ran", { count: result.ballots })}
        </p>
      ) : null}
      {result && "funded" in result && result.funded !== undefined ? (
        <p className="notice" role="status">
          {t("rounds.publish.done", { count: result.funded })}
        </p>
      ) : null}
      {data.published ? (
        <p className="notice">
          {t("staff.publishedNoMore")}{" "}
          <Link to={`/m/${data.slug}/rounds/${data.round.slug}/results`}>{t("staff.resultsLink")}</Link>
        </p>
      ) : confirm ? (
        <section className="confirm" aria-labelledby="confirm-tally">
          <h2 id="confirm-tally">{t(confirm === "publish" ? "rounds.publish.submit" : "rounds.tally.run")}</h2>
          <p>{t(`staff.confirm.${confirm}`)}</p>
          <PostForm>
            {confirm === "publish" ? <input type="hidden" name="intent" value="publish" /> : null}
            <input type="hidden" name="confirmed" value="yes" />
            <button type="submit">{t("staff.confirm.yes")}</button> <Link to=".">{t("staff.confirm.cancel")}</Link>
          </PostForm>
        </section>
      ) : (
        <>
          <PostForm>
            <button type="submit">{t("rounds.tally.run")}</button>
          </PostForm>
          {data.canPublish ? (
            <PostForm>
              <input type="hidden" name="intent" value="publish" />
              <p className="hint">{t("rounds.publish.help")}</p>
              <button type="submit" className="secondary">
                {t("rounds.publish.submit")}
              </button>
            </PostForm>
          ) : (
            <p className="hint">{t("members.adminOnly")}</p>
          )}
        </>
      )}
      {data.envelopes.map((e) => (
        <section key={e.slug} aria-labelledby={`tally-${e.slug}`}>
          <h2 id={`tally-${e.slug}`}>
            {pickText(e.name, locale)} — <span className="num">{formatMoney(locale, e.amount, data.currency)}</span>
          </h2>
          {!e.tally ? (
            <p>{t("rounds.tally.none")}</p>
          ) : (
            <>
              {e.stale ? <p className="notice">{t("rounds.tally.stale")}</p> : null}
              <dl>
                <dt>{t("rounds.tally.rule")}</dt>
                <dd dir="ltr">
                  <code>{e.tally.rule}</code>
                </dd>
                <dt>{t("rounds.tally.seed")}</dt>
                <dd dir="ltr">
                  <code>{e.tally.seed}</code>
                </dd>
                <dt>{t("rounds.tally.ballots")}</dt>
                <dd>{formatNumber(locale, e.tally.ballots)}</dd>
                <dt>{t("rounds.tally.voters")}</dt>
                <dd>{formatNumber(locale, e.tally.voters)}</dd>
              </dl>
              <table>
                <caption>{t("rounds.tally.trace")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("rounds.tally.step")}</th>
                    <th scope="col">{t("rounds.proposal.title")}</th>
                    <th scope="col">{t("round.cost")}</th>
                    <th scope="col">{t("rounds.tally.support")}</th>
                    <th scope="col">{t("rounds.tally.running")}</th>
                    <th scope="col">{t("rounds.tally.phase")}</th>
                  </tr>
                </thead>
                <tbody>
                  {e.tally.trace.map((s) => (
                    <tr key={s.step}>
                      <td className="num">{formatNumber(locale, s.step)}</td>
                      <td>{pickText(s.title, locale)}</td>
                      <td className="num">{formatMoney(locale, s.cost, data.currency)}</td>
                      <td className="num">{formatNumber(locale, s.support)}</td>
                      <td className="num">{formatMoney(locale, s.totalCost, data.currency)}</td>
                      <td dir="ltr">
                        {s.phase}
                        {s.rho !== undefined ? ` ρ=${s.rho.toPrecision(6)}` : ""}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </section>
      ))}
    </>
  );
}
