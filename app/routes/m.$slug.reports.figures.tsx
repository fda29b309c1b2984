import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { BarChart } from "../components/charts/BarChart";
import { useLocale, useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { weekdayLabel } from "../components/reports";
import { TableScroll } from "../components/TableScroll";
import { formatNumber, formatPercent, pickText } from "../domain/i18n";
import { reportFigures } from "../services/reports/reports.server";
import { observer, scopeOf } from "../services/scope";
import { requireMunicipality } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => [t("reports.figures")]);

/** Public response-time figures: per category and month (Solar Hijri months on Persian pages), charts with tables. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const locale = requestLocale(request);
  const { figures, categories, calendar } = await reportFigures(context.db, scopeOf(municipality, observer), {
    months: locale === "fa" ? "persian" : "gregorian",
  });
  return json({
    pageStrings: await pageStringsFor(context, request, [
      "reports.targetDays",
      "reports.status",
      "reports.figures",
      "reports.figuresIntro",
      "reports.figuresNone",
      "reports.month",
      "reports.received",
      "reports.firstMedian",
      "reports.firstP90",
      "reports.resolutionMedian",
      "reports.resolutionP90",
      "reports.withinTarget",
      "reports.backlog",
      "reports.backlogBucket",
      "reports.open",
      "reports.openData",
      "reports.chartReceived",
      "reports.chartWithin",
      "reports.weekday",
      "reports.back",
    ]),
    slug: municipality.slug,
    weekend: calendar.weekend,
    categories: categories.map((c) => ({ code: c.code, name: c.name, targetDays: c.targetDays })),
    figures,
  });
}

const PERSIAN_MONTHS = [
  "فروردین",
  "اردیبهشت",
  "خرداد",
  "تیر",
  "مرداد",
  "شهریور",
  "مهر",
  "آبان",
  "آذر",
  "دی",
  "بهمن",
  "اسفند",
];
const ENGLISH_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export default function ReportFigures() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const monthName = (key: string) => {
    const [y, m] = key.split("-").map(Number);
    return locale === "fa"
      ? `${PERSIAN_MONTHS[m - 1]} ${formatNumber(locale, y).replace(/٬/g, "")}`
      : `${ENGLISH_MONTHS[m - 1]} ${y}`;
  };
  const days = (v: number | null) => (v === null ? "—" : formatNumber(locale, v));
  const weekend = data.weekend.map((d) => t(weekdayLabel[d])).join(locale === "fa" ? "، " : ", ");
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/reports`}>{t("reports.back")}</Link>
      </p>
      <h1>{t("reports.figures")}</h1>
      <p>{t("reports.figuresIntro", { weekend })}</p>
      <p>
        {t("reports.openData")}: <a href={`/m/${data.slug}/reports/figures.json`}>JSON</a> ·{" "}
        <a href={`/m/${data.slug}/reports/figures.csv`}>CSV</a>
      </p>
      {data.figures.months.length === 0 ? <p>{t("reports.figuresNone")}</p> : null}
      {data.categories.map((c) => {
        const months = data.figures.months.filter((m) => m.category === c.code);
        const backlog = data.figures.backlog.filter((b) => b.category === c.code);
        if (months.length === 0) return null;
        const name = pickText(c.name, locale);
        return (
          <section key={c.code} className="report-figures" aria-labelledby={`figures-${c.code}`}>
            <h2 id={`figures-${c.code}`}>
              {name} — {t("reports.targetDays", { count: c.targetDays })}
            </h2>
            <BarChart
              rtl={locale === "fa"}
              data={{
                labels: months.map((m) => monthName(m.month)),
                datasets: [
                  { label: t("reports.chartReceived"), data: months.map((m) => m.received) },
                  { label: t("reports.chartWithin"), data: months.map((m) => m.withinTargetShare ?? 0) },
                ],
              }}
            />
            <TableScroll>
              <table>
                <caption>{name}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("reports.month")}</th>
                    <th scope="col">{t("reports.received")}</th>
                    <th scope="col">{t("reports.firstMedian")}</th>
                    <th scope="col">{t("reports.firstP90")}</th>
                    <th scope="col">{t("reports.resolutionMedian")}</th>
                    <th scope="col">{t("reports.resolutionP90")}</th>
                    <th scope="col">{t("reports.withinTarget")}</th>
                  </tr>
                </thead>
                <tbody>
                  {months.map((m) => (
                    <tr key={m.month} data-month={m.month}>
                      <th scope="row">{monthName(m.month)}</th>
                      <td className="num">{formatNumber(locale, m.received)}</td>
                      <td className="num">{days(m.firstResponseMedian)}</td>
                      <td className="num">{days(m.firstResponseP90)}</td>
                      <td className="num">{days(m.resolutionMedian)}</td>
                      <td className="num">{days(m.resolutionP90)}</td>
                      <td className="num">
                        {m.withinTargetShare === null ? "—" : formatPercent(locale, m.withinTargetShare)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
            <TableScroll>
              <table>
                <caption>{t("reports.backlog")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("reports.backlogBucket")}</th>
                    <th scope="col">{t("reports.open")}</th>
                  </tr>
                </thead>
                <tbody>
                  {backlog.map((b) => (
                    <tr key={b.bucket}>
                      <th scope="row" dir="ltr">
                        {locale === "fa" ? b.bucket.replace(/\d/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[Number(d)]) : b.bucket}
                      </th>
                      <td className="num">{formatNumber(locale, b.open)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          </section>
        );
      })}
    </>
  );
}
