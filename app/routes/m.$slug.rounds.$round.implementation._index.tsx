import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { BarChart } from "../components/charts/BarChart";
import { useLocale, useT } from "../components/i18n";
import { spentVsAllocatedChart } from "../domain/implementation/implementation";
import { formatDay, formatMoney, formatPercent, pickText, isolated } from "../domain/i18n";
import { requireMunicipality } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { fundedBoard } from "../services/implementation/implementation.server";
import { pageTitle } from "../components/page-title";
import { observer, scopeOf } from "../services/scope";
import { implementationStatusLabel } from "../components/labels";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t, locale) => [t("implementation.title"), data && pickText(data.round.title, locale)]);

/** Public board of a round's funded proposals: progress bars, money spent vs allocated (chart + table). */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const board = await fundedBoard(context.db, scopeOf(municipality, observer), { roundSlug: params.round ?? "" });
  if (!board) throw notFound("round");
  return json({
    slug: municipality.slug,
    currency: municipality.currency,
    round: { slug: board.round.slug, title: board.round.title },
    items: board.items,
  });
}

export default function ImplementationBoard() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const chart = spentVsAllocatedChart(
    data.items.map((i) => ({ title: pickText(i.title, locale), allocated: i.allocated, spent: i.spent })),
    { allocated: t("implementation.allocated"), spent: t("implementation.spent") },
  );
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/rounds/${data.round.slug}`}>{pickText(data.round.title, locale)}</Link>
      </p>
      <h1>{t("implementation.title")}</h1>
      <p>{t("implementation.intro")}</p>
      <p>
        {t("implementation.openData")}: <a href={`/m/${data.slug}/implementation.json`}>JSON</a> ·{" "}
        <a href={`/m/${data.slug}/implementation.csv`}>CSV</a>
      </p>
      {data.items.length === 0 ? (
        <p>{t("implementation.none")}</p>
      ) : (
        <>
          <BarChart data={chart} horizontal rtl={locale === "fa"} />
          <table>
            <caption>{t("implementation.chartCaption", { currency: data.currency })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("implementation.proposal")}</th>
                <th scope="col">{t("implementation.status")}</th>
                <th scope="col">{t("implementation.progress")}</th>
                <th scope="col">{t("implementation.allocated")}</th>
                <th scope="col">{t("implementation.spent")}</th>
                <th scope="col">{t("implementation.expected")}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((i) => (
                <tr key={i.id}>
                  <th scope="row">
                    <Link to={`/m/${data.slug}/rounds/${data.round.slug}/implementation/${i.id}`}>
                      {pickText(i.title, locale)}
                    </Link>
                  </th>
                  <td>
                    {t(implementationStatusLabel[i.status])}
                    {i.cancelReason ? (
                      <div className="hint">
                        {t("implementation.cancelledBecause", { reason: isolated(i.cancelReason) })}
                      </div>
                    ) : null}
                  </td>
                  <td>
                    <progress
                      className="progress"
                      max={100}
                      value={i.progress}
                      aria-label={t("implementation.progress")}
                    />{" "}
                    <span className="num">{formatPercent(locale, i.progress)}</span>
                  </td>
                  <td className="num">{formatMoney(locale, i.allocated, data.currency)}</td>
                  <td className="num">{formatMoney(locale, i.spent, data.currency)}</td>
                  <td>{i.expectedCompletion ? formatDay(locale, i.expectedCompletion) : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
