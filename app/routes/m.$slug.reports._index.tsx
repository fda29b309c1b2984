import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { reportStatusLabel } from "../components/reports";
import { TableScroll } from "../components/TableScroll";
import { formatDay, pickText } from "../domain/i18n";
import { dayIn } from "../domain/rounds/phases";
import { myReports, publicReports, reportCategoriesOf } from "../services/reports/reports.server";
import { observer, scopeOf, userActor } from "../services/scope";
import { optionalUser, requireMunicipality } from "../web/guards.server";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => [t("reports.title")]);

/** The municipality's report desk as residents see it: categories and targets, recent reports, their own. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const current = await optionalUser(request, context);
  const scope = scopeOf(municipality, current ? userActor(current.user) : observer);
  const tz = municipality.timeZone;
  const row = (r: Awaited<ReturnType<typeof publicReports>>[number]) => ({
    number: r.number,
    category: r.categoryName,
    status: r.status,
    filedOn: dayIn(tz, r.createdAt),
  });
  return json({
    pageStrings: await pageStringsFor(context, request, [
      "reports.title",
      "reports.intro",
      "reports.file",
      "reports.categories",
      "reports.targetDays",
      "reports.anonymousAllowed",
      "reports.recent",
      "reports.none",
      "reports.mine",
      "reports.number",
      "reports.numberColumn",
      "reports.category",
      "reports.status",
      "reports.filedOn",
      "reports.figures",
      "reports.weekday",
      "reports.api",
    ]),
    slug: municipality.slug,
    loggedIn: current !== null,
    categories: (await reportCategoriesOf(context.db, scope)).map((c) => ({
      code: c.code,
      name: c.name,
      description: c.description,
      targetDays: c.targetDays,
      allowAnonymous: c.allowAnonymous,
    })),
    // A short list keeps the page within the resident page budget (ADR 0011); each report has its page.
    recent: (await publicReports(context.db, scope, { limit: 12 })).map(row),
    mine: current ? (await myReports(context.db, scope)).slice(0, 12).map(row) : [],
  });
}

export default function Reports() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const table = (rows: typeof data.recent, caption: string) => (
    <TableScroll>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("reports.numberColumn")}</th>
            <th scope="col">{t("reports.category")}</th>
            <th scope="col">{t("reports.status")}</th>
            <th scope="col">{t("reports.filedOn")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.number}>
              <th scope="row">
                <Link to={`/m/${data.slug}/reports/${r.number}`}>{t("reports.number", { number: r.number })}</Link>
              </th>
              <td>{pickText(r.category, locale)}</td>
              <td>{t(reportStatusLabel[r.status])}</td>
              <td>{formatDay(locale, r.filedOn)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
  return (
    <>
      <h1>{t("reports.title")}</h1>
      <p>{t("reports.intro")}</p>
      <p>
        <Link className="button" to={`/m/${data.slug}/reports/new`}>
          {t("reports.file")}
        </Link>{" "}
        · <Link to={`/m/${data.slug}/reports/figures`}>{t("reports.figures")}</Link> ·{" "}
        <a href={`/m/${data.slug}/open311/v2/services.json`} dir="ltr">
          {t("reports.api")}
        </a>
      </p>
      <h2>{t("reports.categories")}</h2>
      <ul className="card-list">
        {data.categories.map((c) => (
          <li key={c.code}>
            <strong>{pickText(c.name, locale)}</strong> — {t("reports.targetDays", { count: c.targetDays })}
            {c.allowAnonymous ? ` — ${t("reports.anonymousAllowed")}` : ""}
            <div className="hint">{pickText(c.description, locale)}</div>
          </li>
        ))}
      </ul>
      {data.mine.length ? (
        <>
          <h2>{t("reports.mine")}</h2>
          {table(data.mine, t("reports.mine"))}
        </>
      ) : null}
      <h2>{t("reports.recent")}</h2>
      {data.recent.length === 0 ? <p>{t("reports.none")}</p> : table(data.recent, t("reports.recent"))}
    </>
  );
}
