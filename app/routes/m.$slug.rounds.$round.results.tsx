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
import { TableScroll } from "../components/TableScroll";
import { type FundingReason, ruleFamily } from "../domain/tally/explain";
import type { MessageKey } from "../domain/i18n/en";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t, locale) => [t("rounds.results.title"), data && pickText(data.round.title, locale)]);

/** Public results of a published round: funded proposals, support, money used, the rule's steps. */
export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const results = await resultsOf(context.db, scopeOf(municipality, observer), { roundSlug: params.round ?? "" });
  if (!results) throw notFound("round");
  // Published: the page itself may be kept and served again to observers (app/server/page-cache.ts).
  const page = {
    ...results.page,
    pageStrings: await pageStringsFor(context, request, [
      "bundle.api",
      "bundle.download",
      "bundle.files",
      "bundle.howTo",
      "bundle.howToResult",
      "bundle.howToText",
      "bundle.intro",
      "bundle.title",
      "es.link",
      "explain.ballots",
      "explain.bundleFingerprint",
      "explain.ledger",
      "explain.rule",
      "explain.ruleText",
      "explain.ruleTitle",
      "explain.rulesFingerprint",
      "explain.why",
      "explain.whyTitle",
    ]),
  };
  if (!results.published) return json(page);
  return json(page, { headers: { [PAGE_CACHE_HEADER]: "public" } });
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
            <p dir="auto" data-testid="ledger">
              {t("explain.ledger", {
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
            const money = (n: number) => formatMoney(locale, n, data.currency);
            // Funded proposals in the order the rule funded them, then the others by support.
            const ordered = [...e.proposals].sort(
              (a, b) => stepOf(a.reason) - stepOf(b.reason) || b.weighted - a.weighted,
            );
            return (
              <section key={e.envelope.slug} aria-labelledby={`results-${e.envelope.slug}`}>
                <h2 id={`results-${e.envelope.slug}`}>{pickText(e.envelope.name, locale)}</h2>
                <ul className="stat-list">
                  <li>
                    {t("rounds.results.used", {
                      used: formatMoney(locale, e.used, data.currency),
                      amount: formatMoney(locale, e.envelope.amount, data.currency),
                    })}
                  </li>
                  <li>
                    {t("explain.ballots")}: <span className="num">{formatNumber(locale, e.ballots)}</span>
                  </li>
                </ul>
                {e.envelope.rule ? <RuleExplained rule={e.envelope.rule} envelope={e.envelope.slug} /> : null}
                {e.envelope.rule?.startsWith("mes") ? (
                  <p data-testid="es-link">
                    <Link to={`${base}/results/equal-shares`}>{t("es.link")}</Link>
                  </p>
                ) : null}
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
                <TableScroll>
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
                          <td>
                            <span className={p.selected ? "badge badge-success" : "badge"}>
                              {p.selected ? t("rounds.results.selected") : t("rounds.results.notSelected")}
                            </span>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </TableScroll>
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
                <TableScroll>
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
                </TableScroll>
                {data.comparisons[e.envelope.slug] ? (
                  <RuleComparison
                    base={base}
                    envelope={e.envelope.slug}
                    outcomes={data.comparisons[e.envelope.slug]}
                    names={names}
                    money={(n) => formatMoney(locale, n, data.currency)}
                  />
                ) : null}
                <h3 id={`why-${e.envelope.slug}`}>{t("explain.whyTitle")}</h3>
                <ul className="reason-list" aria-labelledby={`why-${e.envelope.slug}`}>
                  {ordered.map((p) => {
                    const reason = p.reason;
                    return (
                      <li key={p.id} className={p.selected ? "reason funded" : "reason"}>
                        <span className="reason-title">{pickText(p.title, locale)}</span>
                        <span className="reason-text">{reason ? whyText(reason, t, locale, money) : null}</span>
                      </li>
                    );
                  })}
                </ul>
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

/** Funded proposals sort by the step that funded them; the others after them. */
function stepOf(reason: FundingReason | null): number {
  return reason?.funded ? reason.step : Number.MAX_SAFE_INTEGER;
}

/** One proposal's reason in the page's words (ADR 0031): never a price per unit without words. */
function whyText(
  reason: FundingReason,
  t: ReturnType<typeof useT>,
  locale: ReturnType<typeof useLocale>,
  money: (n: number) => string,
): string {
  switch (reason.kind) {
    case "shares":
      return t("explain.why.shares", {
        step: formatNumber(locale, reason.step),
        payers: formatNumber(locale, reason.payers),
      });
    case "free":
      return t("explain.why.free", { step: formatNumber(locale, reason.step) });
    case "fits":
      return t("explain.why.fits", { step: formatNumber(locale, reason.step), left: money(reason.left) });
    case "shares-short":
      return t("explain.why.sharesShort");
    case "did-not-fit":
      return reason.afterShares
        ? t("explain.why.didNotFitAfterShares", { left: money(reason.left) })
        : t("explain.why.didNotFit", { left: money(reason.left) });
    case "no-support":
      return t("explain.why.noSupport");
  }
}

const RULE_NAMES: Record<ReturnType<typeof ruleFamily>, MessageKey> = {
  mesGreedy: "explain.rule.mesGreedy",
  mes: "explain.rule.mes",
  greedy: "explain.rule.greedy",
};

/** The counting rule by its name and what it does, in a few sentences. */
function RuleExplained({ rule, envelope }: { rule: string; envelope: string }) {
  const t = useT();
  const family = ruleFamily(rule);
  const texts: MessageKey[] =
    family === "greedy"
      ? ["explain.ruleText.greedy"]
      : family === "mes"
        ? ["explain.ruleText.shares"]
        : ["explain.ruleText.shares", "explain.ruleText.completion"];
  return (
    <section className="rule-explained" aria-labelledby={`rule-${envelope}`} data-testid="rule">
      <h3 id={`rule-${envelope}`}>{t("explain.ruleTitle")}</h3>
      <p className="rule-name">{t(RULE_NAMES[family])}</p>
      {texts.map((key) => (
        <p key={key}>{t(key)}</p>
      ))}
    </section>
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
      <TableScroll>
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
      </TableScroll>
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
      <TableScroll>
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
      </TableScroll>
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
  bundle: { fingerprint: string; rulesFingerprint: string; files: { name: string; bytes: number }[] };
}) {
  const t = useT();
  const locale = useLocale();
  return (
    <section aria-labelledby="verify-results">
      <h2 id="verify-results">{t("bundle.title")}</h2>
      <p>{t("bundle.intro")}</p>
      <dl className="fingerprints">
        <dt>{t("explain.bundleFingerprint")}</dt>
        <dd className="fingerprint">
          <code dir="ltr">{bundle.fingerprint}</code>
        </dd>
        <dt>{t("explain.rulesFingerprint")}</dt>
        <dd className="rules-fingerprint">
          <code dir="ltr">{bundle.rulesFingerprint}</code>
        </dd>
      </dl>
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
