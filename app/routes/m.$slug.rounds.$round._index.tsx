import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "../components/i18n";
import { type MessageKey, formatDay, formatMoney, pickText } from "../domain/i18n";
import { requireMunicipality } from "../services/guards.server";
import { notFound } from "../services/http.server";
import { publicRound } from "../services/rounds.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Shora — ${data?.round.title.en ?? ""}` }];

/** Public page of a round: phases, envelopes and the proposals on the ballot. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const found = await publicRound(context.db, municipality.id, params.round ?? "", municipality.timeZone);
  if (!found) throw notFound("round");
  return json({
    currency: municipality.currency,
    round: { title: found.round.title, description: found.round.description, kind: found.round.kind },
    currentPhase: found.currentPhase,
    phases: found.phases.map((p) => ({ kind: p.kind, startsOn: p.startsOn, endsOn: p.endsOn })),
    envelopes: found.envelopes.map((e) => ({
      slug: e.slug,
      name: e.name,
      amount: e.amount,
      proposals: e.proposals.map((p) => ({ id: p.id, title: p.title, body: p.body, cost: p.cost })),
    })),
  });
}

export default function RoundPage() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  return (
    <>
      <h1>{pickText(data.round.title, locale)}</h1>
      <p>{pickText(data.round.description, locale)}</p>
      <p>
        {t("round.currentPhase")}:{" "}
        <strong>{data.currentPhase ? t(`phase.${data.currentPhase}` as MessageKey) : t("round.noCurrentPhase")}</strong>
      </p>
      <h2>{t("round.phases")}</h2>
      <ol>
        {data.phases.map((p) => (
          <li key={p.kind} aria-current={p.kind === data.currentPhase ? "step" : undefined}>
            {t(`phase.${p.kind}` as MessageKey)}:{" "}
            {t("phase.dates", { start: formatDay(locale, p.startsOn), end: formatDay(locale, p.endsOn) })}
          </li>
        ))}
      </ol>
      <h2>{t("round.envelopes")}</h2>
      {data.envelopes.map((e) => (
        <section key={e.slug} aria-labelledby={`envelope-${e.slug}`}>
          <h3 id={`envelope-${e.slug}`}>{pickText(e.name, locale)}</h3>
          <p>
            {t("round.amount")}: <span className="num">{formatMoney(locale, e.amount, data.currency)}</span>
          </p>
          {e.proposals.length === 0 ? (
            <p>{t("round.noProposals")}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("round.proposals")}</th>
                  <th scope="col">{t("round.cost")}</th>
                </tr>
              </thead>
              <tbody>
                {e.proposals.map((p) => (
                  <tr key={p.id}>
                    <td>{pickText(p.title, locale)}</td>
                    <td className="num">{formatMoney(locale, p.cost, data.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ))}
    </>
  );
}
