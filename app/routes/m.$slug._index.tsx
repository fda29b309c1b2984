import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "../components/i18n";
import { pickText } from "../domain/i18n";
import { optionalUser, requireMunicipality } from "../web/guards.server";
import { municipalityOverview, roleIn } from "../services/tenancy/municipality.server";
import { roundsOf } from "../services/rounds/rounds.server";
import { pageTitle } from "../components/page-title";
import { observer, scopeOf, userActor } from "../services/scope";
import { phaseLabel, roundKindLabel } from "../components/labels";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (_t, locale) => [data && pickText(data.municipality.name, locale)]);

/** Public page of a municipality: its rounds and districts. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const current = await optionalUser(request, context);
  const scope = scopeOf(municipality, current ? userActor(current.user) : observer);
  const [overview, roundList, role] = await Promise.all([
    municipalityOverview(context.db, scope),
    roundsOf(context.db, scope),
    roleIn(context.db, scope),
  ]);
  return json({
    pageStrings: await pageStringsFor(context, request, [
      "actionLog.link",
      "openData.title",
      "reports.figures",
      "reports.title",
    ]),
    municipality: { slug: municipality.slug, name: municipality.name },
    districts: overview.districts.map((d) => ({ code: d.code, name: d.name })),
    rounds: roundList.map((r) => ({ slug: r.slug, kind: r.kind, title: r.title, currentPhase: r.currentPhase })),
    isStaff: role !== null,
    loggedIn: current !== null,
  });
}

export default function MunicipalityHome() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  return (
    <>
      <h1>{pickText(data.municipality.name, locale)}</h1>
      {data.isStaff ? (
        <p>
          <Link to={`/m/${data.municipality.slug}/admin`}>{t("municipality.staffArea")}</Link>
        </p>
      ) : null}
      <p>
        <Link
          to={
            data.loggedIn
              ? `/m/${data.municipality.slug}/verify`
              : `/login?next=${encodeURIComponent(`/m/${data.municipality.slug}/verify`)}`
          }
        >
          {t("verification.title")}
        </Link>
      </p>
      <p>
        <Link to={`/m/${data.municipality.slug}/reports`}>{t("reports.title")}</Link> ·{" "}
        <Link to={`/m/${data.municipality.slug}/reports/figures`}>{t("reports.figures")}</Link>
      </p>
      <h2>{t("municipality.rounds")}</h2>
      {data.rounds.length === 0 ? (
        <p>{t("municipality.noRounds")}</p>
      ) : (
        <ul className="card-list">
          {data.rounds.map((r) => (
            <li key={r.slug}>
              <Link to={`/m/${data.municipality.slug}/rounds/${r.slug}`}>{pickText(r.title, locale)}</Link>{" "}
              <span className="tag">{t(roundKindLabel[r.kind])}</span>{" "}
              <span className="tag">{r.currentPhase ? t(phaseLabel[r.currentPhase]) : t("round.noCurrentPhase")}</span>
            </li>
          ))}
        </ul>
      )}
      <p>
        <Link to={`/m/${data.municipality.slug}/log`}>{t("actionLog.link")}</Link> ·{" "}
        <Link to={`/m/${data.municipality.slug}/open-data`}>{t("openData.title")}</Link> ·{" "}
        <Link to={`/m/${data.municipality.slug}/help`}>{t("help.footerLink")}</Link>
      </p>
      <h2>{t("municipality.districts")}</h2>
      <ul>
        {data.districts.map((d) => (
          <li key={d.code}>{pickText(d.name, locale)}</li>
        ))}
      </ul>
    </>
  );
}
