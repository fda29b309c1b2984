import { MediaGallery } from "../components/media-gallery";
import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { reportNumberParam, reportStatusLabel } from "../components/reports";
import { formatDateTime, pickText, isolated } from "../domain/i18n";
import { publicReport } from "../services/reports/reports.server";
import { observer, scopeOf, userActor } from "../services/scope";
import { optionalUser, requireMunicipality } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) => [data && t("reports.number", { number: data.report.number })]);

/** One report as anyone sees it: status, public replies, photos; never the reporter. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const number = reportNumberParam(params.number);
  if (number === null) throw notFound("report");
  const current = await optionalUser(request, context);
  const scope = scopeOf(municipality, current ? userActor(current.user) : observer);
  const found = await publicReport(context.db, scope, { number });
  if (!found) throw notFound("report");
  const { report } = found;
  return json({
    pageStrings: await pageStringsFor(context, request, [
      "media.documents",
      "media.pdf",
      "reports.number",
      "reports.category",
      "reports.description",
      "reports.district",
      "reports.location",
      "reports.project",
      "reports.filed",
      "reports.status",
      "reports.filedOn",
      "reports.updatedOn",
      "reports.resolution",
      "reports.duplicateOf",
      "reports.history",
      "reports.noHistory",
      "reports.event",
      "reports.aboutProject",
      "reports.weekday",
      "reports.back",
    ]),
    slug: municipality.slug,
    timeZone: municipality.timeZone,
    filed: new URL(request.url).searchParams.get("filed") === "1" && found.mine,
    report: {
      number: report.number,
      status: report.status,
      category: report.categoryName,
      description: report.description,
      district: report.districtName,
      lat: report.lat,
      lon: report.lon,
      resolution: report.resolution,
      duplicateOf: report.duplicateOf,
      createdAt: report.createdAt.toISOString(),
      updatedAt: report.updatedAt.toISOString(),
      project:
        report.proposalId && report.roundSlug
          ? { id: report.proposalId, title: report.proposalTitle, round: report.roundSlug }
          : null,
    },
    events: found.events.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })),
    photos: found.photos,
  });
}

export default function ReportPage() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const { report } = data;
  const when = (iso: string) => formatDateTime(locale, new Date(iso), data.timeZone);
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/reports`}>{t("reports.back")}</Link>
      </p>
      <h1>{t("reports.number", { number: report.number })}</h1>
      {data.filed ? (
        <p className="notice" role="status">
          {t("reports.filed", { number: report.number })}
        </p>
      ) : null}
      <dl>
        <dt>{t("reports.status")}</dt>
        <dd data-status={report.status}>{t(reportStatusLabel[report.status])}</dd>
        {report.status === "duplicate" && report.duplicateOf ? (
          <dd>
            <Link to={`/m/${data.slug}/reports/${report.duplicateOf}`}>
              {t("reports.duplicateOf", { number: report.duplicateOf })}
            </Link>
          </dd>
        ) : null}
        {report.status === "closed" && report.resolution ? (
          <>
            <dt>{t("reports.resolution")}</dt>
            <dd>{report.resolution}</dd>
          </>
        ) : null}
        <dt>{t("reports.category")}</dt>
        <dd>{pickText(report.category, locale)}</dd>
        <dt>{t("reports.filedOn")}</dt>
        <dd>{when(report.createdAt)}</dd>
        <dt>{t("reports.updatedOn")}</dt>
        <dd>{when(report.updatedAt)}</dd>
        {report.district ? (
          <>
            <dt>{t("reports.district")}</dt>
            <dd>{pickText(report.district, locale)}</dd>
          </>
        ) : null}
        {report.lat !== null && report.lon !== null ? (
          <>
            <dt>{t("reports.location")}</dt>
            <dd dir="ltr">
              {report.lat}, {report.lon}
            </dd>
          </>
        ) : null}
        {report.project ? (
          <>
            <dt>{t("reports.project")}</dt>
            <dd>
              <Link to={`/m/${data.slug}/rounds/${report.project.round}/implementation/${report.project.id}`}>
                {t("reports.aboutProject", { title: isolated(pickText(report.project.title, locale)) })}
              </Link>
            </dd>
          </>
        ) : null}
      </dl>
      <h2>{t("reports.description")}</h2>
      <p className="report-description">{report.description}</p>
      <MediaGallery slug={data.slug} items={data.photos} />
      <h2>{t("reports.history")}</h2>
      {data.events.length === 0 ? (
        <p>{t("reports.noHistory")}</p>
      ) : (
        <ol className="card-list report-history">
          {data.events.map((e) => (
            <li key={e.id}>
              <strong>{when(e.createdAt)}</strong> —{" "}
              {e.kind === "status" && e.status
                ? t("reports.event.status", { status: t(reportStatusLabel[e.status]) })
                : t("reports.event.reply")}
              {e.body ? <p>{e.body}</p> : null}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
