import { type HeadersFunction, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { PAGE_CACHE_HEADER } from "../web/page-cache-header";
import { Link, useLoaderData } from "@remix-run/react";
import { BarChart } from "../components/charts/BarChart";
import { useLocale, useT } from "../components/i18n";
import { formatDay, formatMoney, formatNumber, formatPercent, pickText } from "../domain/i18n";
import { requireMunicipality } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { observer, scopeOf } from "../services/scope";
import { resultsOf } from "../services/tally/results.server";
import { pageTitle } from "../components/page-title";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t, locale) => [t("rounds.results.title"), data && pickText(data.round.title, locale)]);

/** Public results of a published round: funded proposals, support, money used, the rule's steps. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const results = await resultsOf(context.db, scopeOf(municipality, observer), { roundSlug: params.round ?? "" });
  if (!results) throw notFound("round");
  // Published: the page itself may be kept and served again to observers (app/server/page-cache.ts).
  if (!results.published) return json(results.page);
  return json(results.page, { headers: { [PAGE_CACHE_HEADER]: "public" } });
}

export const headers: HeadersFunction = ({ loaderHeaders, parentHeaders }) => {
  const out = new Headers(parentHeaders);
  const value = loaderHeaders.get(PAGE_CACHE_HEADER);
  if (value) out.set(PAGE_CACHE_HEADER, value);
  return out;
};

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
              {t("rounds.results.ledger", {
                size: formatNumber(locale, data.results.ledgerSize),
                root: data.results.finalCheckpoint.rootHash.slice(0, 16),
              })}{" "}
              <a href={`${base}/checkpoints.json`}>JSON</a> ·{" "}
              <Link to={`${base}/receipt`}>{t("rounds.receipt.title")}</Link>
            </p>
          ) : null}
          {data.results.finalCheckpoint ? (
            <p dir="auto" data-testid="witnesses">
              {t("results.witnesses")}:{" "}
              {data.results.witnesses.cosigners.length
                ? t("results.witnesses.cosigned", {
                    names: data.results.witnesses.cosigners.map((c) => c.name).join(", "),
                    quorum: formatNumber(locale, data.results.witnesses.quorum),
                  })
                : t("results.witnesses.none")}
            </p>
          ) : null}
          {data.results.envelopes.map((e) => {
            const names = new Map(e.proposals.map((p) => [p.id, pickText(p.title, locale)]));
            return (
              <section key={e.envelope.slug} aria-labelledby={`results-${e.envelope.slug}`}>
                <h2 id={`results-${e.envelope.slug}`}>{pickText(e.envelope.name, locale)}</h2>
                <p>
                  {t("rounds.results.used", {
                    used: formatMoney(locale, e.used, data.currency),
                    amount: formatMoney(locale, e.envelope.amount, data.currency),
                  })}{" "}
                  — {t("rounds.results.voters")}: {formatNumber(locale, e.ballots)} — {t("rounds.tally.rule")}:{" "}
                  <code>{e.envelope.rule}</code>
                </p>
                <BarChart
                  horizontal
                  rtl={locale === "fa"}
                  data={{
                    labels: e.proposals.map((p) => `${p.selected ? "✓ " : ""}${pickText(p.title, locale)}`),
                    datasets: [
                      {
                        label: t("rounds.results.support"),
                        data: e.proposals.map((p) => p.weighted),
                        backgroundColor: "#0b5cad",
                      },
                    ],
                  }}
                />
                <PngLink base={base} chart="support" envelope={e.envelope.slug} />
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
                <h3 id={`spending-${e.envelope.slug}`}>{t("results.spending")}</h3>
                <BarChart
                  horizontal
                  rtl={locale === "fa"}
                  stacked
                  data={{
                    labels: [pickText(e.envelope.name, locale)],
                    datasets: [
                      { label: t("results.used"), data: [e.used], backgroundColor: "#0b5cad" },
                      { label: t("results.left"), data: [e.envelope.amount - e.used], backgroundColor: "#9aa5b1" },
                    ],
                  }}
                />
                <PngLink base={base} chart="spending" envelope={e.envelope.slug} />
                <table aria-labelledby={`spending-${e.envelope.slug}`}>
                  <tbody>
                    <tr>
                      <th scope="row">{t("results.used")}</th>
                      <td className="num">{formatMoney(locale, e.used, data.currency)}</td>
                    </tr>
                    <tr>
                      <th scope="row">{t("results.left")}</th>
                      <td className="num">{formatMoney(locale, e.envelope.amount - e.used, data.currency)}</td>
                    </tr>
                    <tr>
                      <th scope="row">{t("results.amount")}</th>
                      <td className="num">{formatMoney(locale, e.envelope.amount, data.currency)}</td>
                    </tr>
                  </tbody>
                </table>
                {data.comparisons[e.envelope.slug] ? (
                  <RuleComparison
                    base={base}
                    envelope={e.envelope.slug}
                    outcomes={data.comparisons[e.envelope.slug]}
                    names={names}
                    money={(n) => formatMoney(locale, n, data.currency)}
                  />
                ) : null}
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
                        : t("rounds.results.stepGreedy", {
                            step: s.step,
                            project: names.get(s.project) ?? s.project,
                            supporters: formatNumber(locale, s.support),
                          })}
                    </li>
                  ))}
                </ol>
              </section>
            );
          })}
          {data.results.turnout.length ? <TurnoutSection base={base} turnout={data.results.turnout} /> : null}
          {data.bundle ? (
            <BundleSection base={base} slug={data.slug} round={data.round.slug} bundle={data.bundle} />
          ) : null}
        </>
      )}
    </>
  );
}

function PngLink({ base, chart, envelope }: { base: string; chart: string; envelope?: string }) {
  const t = useT();
  const locale = useLocale();
  return (
    <p className="hint">
      <a
        href={`${base}/chart.png?chart=${chart}${envelope ? `&envelope=${encodeURIComponent(envelope)}` : ""}&lang=${locale}`}
        download
      >
        {t("results.png")}
      </a>
    </p>
  );
}

function RuleComparison({
  base,
  envelope,
  outcomes,
  names,
  money,
}: {
  base: string;
  envelope: string;
  outcomes: { rule: string; selected: string[]; totalCost: number; satisfiedShare: number }[];
  names: Map<string, string>;
  money: (n: number) => string;
}) {
  const t = useT();
  const locale = useLocale();
  const label = (rule: string) => (rule.startsWith("mes") ? t("results.rule.mes") : t("results.rule.greedy"));
  const all = [...new Set(outcomes.flatMap((o) => o.selected))];
  return (
    <>
      <h3 id={`compare-${envelope}`}>{t("results.compare")}</h3>
      <p>{t("results.compareIntro")}</p>
      <BarChart
        rtl={locale === "fa"}
        data={{
          labels: outcomes.map((o) => label(o.rule)),
          datasets: [
            { label: t("results.satisfied"), data: outcomes.map((o) => o.satisfiedShare), backgroundColor: "#2f7d32" },
          ],
        }}
      />
      <PngLink base={base} chart="compare" envelope={envelope} />
      <table aria-labelledby={`compare-${envelope}`}>
        <thead>
          <tr>
            <th scope="col">{t("rounds.proposal.title")}</th>
            {outcomes.map((o) => (
              <th scope="col" key={o.rule}>
                {label(o.rule)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {all.map((id) => (
            <tr key={id}>
              <th scope="row">{names.get(id) ?? id}</th>
              {outcomes.map((o) => (
                <td key={o.rule}>{o.selected.includes(id) ? t("rounds.results.selected") : "—"}</td>
              ))}
            </tr>
          ))}
          <tr>
            <th scope="row">{t("results.used")}</th>
            {outcomes.map((o) => (
              <td className="num" key={o.rule}>
                {money(o.totalCost)}
              </td>
            ))}
          </tr>
          <tr>
            <th scope="row">{t("results.satisfied")}</th>
            {outcomes.map((o) => (
              <td className="num" key={o.rule}>
                {formatPercent(locale, o.satisfiedShare)}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
    </>
  );
}

function TurnoutSection({
  base,
  turnout,
}: {
  base: string;
  turnout: { day: string; district: string; channel: string; voters: number }[];
}) {
  const t = useT();
  const locale = useLocale();
  const days = [...new Set(turnout.map((r) => r.day))].sort();
  const perDay = days.map((d) => turnout.filter((r) => r.day === d).reduce((s, r) => s + r.voters, 0));
  const channels = [...new Set(turnout.map((r) => r.channel))].sort();
  return (
    <section aria-labelledby="turnout">
      <h2 id="turnout">{t("results.turnout")}</h2>
      <BarChart
        rtl={locale === "fa"}
        data={{
          labels: days.map((d) => formatDay(locale, d)),
          datasets: [{ label: t("rounds.turnout.voters"), data: perDay, backgroundColor: "#0b5cad" }],
        }}
      />
      <PngLink base={base} chart="turnout" />
      <table>
        <caption>{t("results.turnoutCaption")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("rounds.turnout.day")}</th>
            {channels.map((c) => (
              <th scope="col" key={c}>
                {t(`results.channel.${c === "paper" ? "paper" : "online"}`)}
              </th>
            ))}
            <th scope="col">{t("rounds.turnout.voters")}</th>
          </tr>
        </thead>
        <tbody>
          {days.map((d, i) => (
            <tr key={d}>
              <th scope="row">{formatDay(locale, d)}</th>
              {channels.map((c) => (
                <td className="num" key={c}>
                  {formatNumber(
                    locale,
                    turnout.filter((r) => r.day === d && r.channel === c).reduce((s, r) => s + r.voters, 0),
                  )}
                </td>
              ))}
              <td className="num">{formatNumber(locale, perDay[i])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function BundleSection({
  base,
  slug,
  round,
  bundle,
}: {
  base: string;
  slug: string;
  round: string;
  bundle: { fingerprint: string; files: { name: string; bytes: number }[] };
}) {
  const t = useT();
  const locale = useLocale();
  return (
    <section aria-labelledby="verify-results">
      <h2 id="verify-results">{t("bundle.title")}</h2>
      <p>{t("bundle.intro")}</p>
      <p className="fingerprint">
        {t("bundle.fingerprint")} <code dir="ltr">{bundle.fingerprint}</code>
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
