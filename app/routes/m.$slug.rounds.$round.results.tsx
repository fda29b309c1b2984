import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { BarChart } from "../components/charts/BarChart";
import { useLocale, useT } from "../components/i18n";
import { formatMoney, formatNumber, pickText } from "../domain/i18n";
import { roundBundle } from "../services/bundle.server";
import { requireMunicipality } from "../services/guards.server";
import { notFound } from "../services/http.server";
import { isPublished, publishedResults } from "../services/publish.server";
import { findRound } from "../services/rounds-admin.server";

export const meta: MetaFunction = () => [{ title: "Shora — results" }];

/** Public results of a published round: funded proposals, support, money used, the rule's steps. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const round = await findRound(context.db, municipality.id, params.round ?? "");
  if (!round) throw notFound("round");
  const published = await isPublished(context.db, round.id);
  const results = published ? await publishedResults(context.db, round, municipality.id) : null;
  const bundle = published ? await roundBundle(context.db, municipality, round.slug) : null;
  return json({
    slug: municipality.slug,
    currency: municipality.currency,
    round: { slug: round.slug, title: round.title },
    bundle: bundle ? { fingerprint: bundle.fingerprint, files: bundle.files.map((f) => ({ name: f.name, bytes: f.bytes.length })) } : null,
    results: results
      ? {
          ...results,
          turnout: results.turnout.map((t) => ({ day: t.day, district: t.district, channel: t.channel, voters: t.voters })),
        }
      : null,
  });
}

export default function Results() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const base = `/m/${data.slug}/rounds/${data.round.slug}`;
  return (
    <>
      <p>
        <Link to={base}>{pickText(data.round.title, locale)}</Link>
      </p>
      <h1>
        {t("rounds.results.title")} — {pickText(data.round.title, locale)}
      </h1>
      {!data.results ? (
        <p>{t("rounds.results.notYet")}</p>
      ) : (
        <>
          {data.results.finalCheckpoint ? (
            <p dir="auto">
              {t("rounds.results.ledger", { size: formatNumber(locale, data.results.ledgerSize), root: data.results.finalCheckpoint.rootHash.slice(0, 16) })}{" "}
              <a href={`${base}/checkpoints.json`}>JSON</a> · <Link to={`${base}/receipt`}>{t("rounds.receipt.title")}</Link>
            </p>
          ) : null}
          {data.results.envelopes.map((e) => {
            const names = new Map(e.proposals.map((p) => [p.id, pickText(p.title, locale)]));
            return (
              <section key={e.envelope.slug} aria-labelledby={`results-${e.envelope.slug}`}>
                <h2 id={`results-${e.envelope.slug}`}>{pickText(e.envelope.name, locale)}</h2>
                <p>
                  {t("rounds.results.used", { used: formatMoney(locale, e.used, data.currency), amount: formatMoney(locale, e.envelope.amount, data.currency) })} —{" "}
                  {t("rounds.results.voters")}: {formatNumber(locale, e.ballots)} — {t("rounds.tally.rule")}: <code>{e.envelope.rule}</code>
                </p>
                <BarChart
                  horizontal
                  rtl={locale === "fa"}
                  data={{
                    labels: e.proposals.map((p) => `${p.selected ? "✓ " : ""}${pickText(p.title, locale)}`),
                    datasets: [{ label: t("rounds.results.support"), data: e.proposals.map((p) => p.weighted), backgroundColor: "#0b5cad" }],
                  }}
                />
                <table>
                  <caption>{t("rounds.results.chartCaption")}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t("rounds.proposal.title")}</th>
                      <th scope="col">{t("round.cost")}</th>
                      <th scope="col">{t("rounds.results.support")}</th>
                      <th scope="col">{t("rounds.results.voters")}</th>
                      <th scope="col">{t("rounds.proposal.status")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {e.proposals.map((p) => (
                      <tr key={p.id}>
                        <th scope="row">{pickText(p.title, locale)}</th>
                        <td className="num">{formatMoney(locale, p.cost, data.currency)}</td>
                        <td className="num">{formatNumber(locale, p.weighted)}</td>
                        <td className="num">{formatNumber(locale, p.count)}</td>
                        <td>{p.selected ? t("rounds.results.selected") : t("rounds.results.notSelected")}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <h3>{t("rounds.results.how")}</h3>
                <ol>
                  {e.trace.map((s) => (
                    <li key={s.step}>
                      {s.phase === "mes" && s.rho !== undefined
                        ? t("rounds.results.stepMes", {
                            step: s.step,
                            project: names.get(s.project) ?? s.project,
                            rho: formatNumber(locale, Number(s.rho.toPrecision(4))),
                            payers: formatNumber(locale, s.payers ?? 0),
                          })
                        : t("rounds.results.stepGreedy", { step: s.step, project: names.get(s.project) ?? s.project, supporters: formatNumber(locale, s.support) })}
                    </li>
                  ))}
                </ol>
              </section>
            );
          })}
          {data.bundle ? <BundleSection base={base} slug={data.slug} round={data.round.slug} bundle={data.bundle} /> : null}
        </>
      )}
    </>
  );
}

function BundleSection({ base, slug, round, bundle }: { base: string; slug: string; round: string; bundle: { fingerprint: string; files: { name: string; bytes: number }[] } }) {
  const t = useT();
  const locale = useLocale();
  return (
    <section aria-labelledby="verify-results">
      <h2 id="verify-results">{t("bundle.title")}</h2>
      <p>{t("bundle.intro")}</p>
      <p className="fingerprint">
        {t("bundle.fingerprint")}{" "}
        <code dir="ltr">{bundle.fingerprint}</code>
      </p>
      <p>
        <a href={`${base}/bundle.zip`} download>
          {t("bundle.download")}
        </a>{" "}
        · <a href={`/m/${slug}/api/rounds/${round}/results`}>{t("bundle.api")}</a>
      </p>
      <details className="panel">
        <summary>{t("bundle.files")}</summary>
        <ul>
          {bundle.files.map((f) => (
            <li key={f.name}>
              <a href={`${base}/bundle/${f.name}`}>
                <code>{f.name}</code>
              </a>{" "}
              ({formatNumber(locale, f.bytes)} B)
            </li>
          ))}
        </ul>
      </details>
      <h3>{t("bundle.howTo")}</h3>
      <p>{t("bundle.howToText")}</p>
      <pre dir="ltr">
        <code>{`npx shora verify ${slug}-${round}-bundle.zip`}</code>
      </pre>
      <p>{t("bundle.howToResult")}</p>
    </section>
  );
}
