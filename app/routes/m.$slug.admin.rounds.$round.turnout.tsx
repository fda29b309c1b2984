import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BarChart } from "../components/charts/BarChart";
import { useLocale, useT } from "../components/i18n";
import { RoundStaffNav } from "../components/staff-nav";
import { formatDay, formatNumber, pickText } from "../domain/i18n";
import { turnoutOf } from "../services/ballots/ballots.server";
import { districtsOf } from "../services/tenancy/municipality.server";
import { voterClassNames } from "../services/verification/eligibility.server";
import { type Channel, channelLabel } from "../components/labels";
import { requireStaff } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { scopeOf, userActor } from "../services/scope";
import { pageTitle } from "../components/page-title";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t, locale) => [t("rounds.turnout.title"), data && pickText(data.round.title, locale)]);

/** Staff see who-many (never who or how) has voted, during voting. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireStaff(request, context, params.slug);
  const scope = scopeOf(municipality, userActor(user));
  const [turnout, districtRows, classNames] = await Promise.all([
    turnoutOf(context.db, scope, { roundSlug: params.round ?? "" }),
    districtsOf(context.db, scope),
    voterClassNames(context.db, scope),
  ]);
  if (!turnout) throw notFound("round");
  const { round, rows } = turnout;
  return json({
    slug: municipality.slug,
    round: { slug: round.slug, title: round.title },
    // Districts and classes by name, never by id or code.
    districtNames: Object.fromEntries(districtRows.map((d) => [d.id, d.name])),
    classNames,
    rows: rows.map((r) => ({
      day: r.day,
      district: r.district,
      voterClass: r.voterClass,
      channel: r.channel,
      voters: r.voters,
    })),
  });
}

export default function Turnout() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const days = [...new Set(data.rows.map((r) => r.day))].sort();
  const perDay = days.map((d) => data.rows.filter((r) => r.day === d).reduce((s, r) => s + r.voters, 0));
  const total = data.rows.reduce((s, r) => s + r.voters, 0);
  return (
    <>
      <RoundStaffNav slug={data.slug} round={data.round.slug} />
      <h1>
        {t("rounds.turnout.title")} — {pickText(data.round.title, locale)}
      </h1>
      <p>{t("rounds.turnout.intro")}</p>
      {data.rows.length === 0 ? (
        <p>{t("rounds.turnout.none")}</p>
      ) : (
        <>
          <p role="status">{t("rounds.turnout.total", { count: total })}</p>
          <BarChart
            rtl={locale === "fa"}
            data={{
              labels: days.map((d) => formatDay(locale, d)),
              datasets: [{ label: t("rounds.turnout.voters"), data: perDay, backgroundColor: "#0b5cad" }],
            }}
          />
          <table>
            <caption>{t("rounds.turnout.chartCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("rounds.turnout.day")}</th>
                <th scope="col">{t("rounds.turnout.district")}</th>
                <th scope="col">{t("rounds.turnout.class")}</th>
                <th scope="col">{t("rounds.turnout.channel")}</th>
                <th scope="col">{t("rounds.turnout.voters")}</th>
              </tr>
            </thead>
            <tbody>
              {data.rows.map((r) => (
                <tr key={`${r.day}-${r.district}-${r.voterClass}-${r.channel}`}>
                  <td>{formatDay(locale, r.day)}</td>
                  <td>{data.districtNames[r.district] ? pickText(data.districtNames[r.district], locale) : "—"}</td>
                  <td>{pickText(data.classNames[r.voterClass], locale) || r.voterClass}</td>
                  <td>{r.channel in channelLabel ? t(channelLabel[r.channel as Channel]) : r.channel}</td>
                  <td className="num">{formatNumber(locale, r.voters)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
