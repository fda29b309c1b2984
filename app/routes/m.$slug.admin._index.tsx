import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "../components/i18n";
import { requireStaff } from "../web/guards.server";
import { roundsOf } from "../services/rounds/rounds.server";
import { pageTitle } from "../components/page-title";
import { scopeOf, userActor } from "../services/scope";
import { membersOf } from "../services/accounts/memberships.server";
import { phaseLabel, roleLabel } from "../components/labels";
import { staffDashboard } from "../services/staff/dashboard.server";
import { formatDay, formatNumber, pickText } from "../domain/i18n";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t, locale) => [
    data && t("admin.title", { municipality: pickText(data.municipality.name, locale) }),
  ]);

/** Council staff dashboard: only staff or admins of this municipality. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, role, user } = await requireStaff(request, context, params.slug);
  const scope = scopeOf(municipality, userActor(user));
  const [roundList, members, needs] = await Promise.all([
    roundsOf(context.db, scope),
    membersOf(context.db, scope),
    staffDashboard(context.db, scope),
  ]);
  const staff = members.map((m) => ({ displayName: m.displayName, role: m.role }));
  return json({
    municipality: { slug: municipality.slug, name: municipality.name },
    role,
    rounds: roundList.map((r) => ({ slug: r.slug, title: r.title, currentPhase: r.currentPhase })),
    staff,
    needs,
    timeZone: municipality.timeZone,
  });
}

export default function StaffDashboard() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const name = pickText(data.municipality.name, locale);
  return (
    <>
      <h1>{t("admin.title", { municipality: name })}</h1>
      <p>{t("admin.intro", { municipality: name })}</p>
      <NeedsYou />
      <h2>{t("admin.roundsCount")}</h2>
      <ul className="staff-nav-list">
        <li>
          <Link to={`/m/${data.municipality.slug}/admin/rounds`}>{t("rounds.manage")}</Link>
        </li>
        {data.role === "admin" ? (
          <li>
            <Link to={`/m/${data.municipality.slug}/admin/census`}>{t("verification.nav.census")}</Link>
          </li>
        ) : null}
        {data.role === "admin" ? (
          <li>
            <Link to={`/m/${data.municipality.slug}/admin/eid`}>{t("eid.admin.link")}</Link>
          </li>
        ) : null}
        <li>
          <Link to={`/m/${data.municipality.slug}/admin/verifications`}>{t("verification.nav.verifications")}</Link>
        </li>
        <li>
          <Link to={`/m/${data.municipality.slug}/admin/outbox`}>{t("implementation.outbox.title")}</Link>
        </li>
        <li>
          <Link to={`/m/${data.municipality.slug}/admin/broadcasts`}>{t("broadcast.title")}</Link>
        </li>
        <li>
          <Link to={`/m/${data.municipality.slug}/admin/moderation`}>{t("moderation.title")}</Link>
        </li>
        <li>
          <Link to={`/m/${data.municipality.slug}/admin/help`}>{t("help.admin.link")}</Link>
        </li>
        <li>
          <Link to={`/m/${data.municipality.slug}/admin/map`}>{t("map.admin.link")}</Link>
        </li>
        <li>
          <Link to={`/m/${data.municipality.slug}/admin/reports`}>{t("reports.desk")}</Link>
        </li>
        {data.role === "admin" ? (
          <li>
            <Link to={`/m/${data.municipality.slug}/admin/staff`}>{t("members.manage")}</Link>
          </li>
        ) : null}
        {data.role === "admin" ? (
          <li>
            <Link to={`/m/${data.municipality.slug}/admin/witnesses`}>{t("witnesses.manage")}</Link>
          </li>
        ) : null}
        {data.role === "admin" ? (
          <li>
            <Link to={`/m/${data.municipality.slug}/admin/webhooks`}>{t("webhooks.manage")}</Link>
          </li>
        ) : null}
      </ul>
      <ul>
        {data.rounds.map((r) => (
          <li key={r.slug}>
            <Link to={`/m/${data.municipality.slug}/admin/rounds/${r.slug}`}>{pickText(r.title, locale)}</Link> —{" "}
            {r.currentPhase ? t(phaseLabel[r.currentPhase]) : t("round.noCurrentPhase")}
          </li>
        ))}
      </ul>
      <h2>{t("admin.staff")}</h2>
      <ul>
        {data.staff.map((s) => (
          <li key={s.displayName}>
            {s.displayName} — {t(roleLabel[s.role])}
          </li>
        ))}
      </ul>
    </>
  );
}

/** What needs the staff now: each line links to the page where it is done. */
function NeedsYou() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const base = `/m/${data.municipality.slug}/admin`;
  const { needs } = data;
  const nothing =
    needs.toReview.length === 0 &&
    needs.flaggedComments === 0 &&
    needs.verificationsWaiting === 0 &&
    needs.endingSoon.length === 0;
  return (
    <section aria-labelledby="needs-you" className="panel">
      <h2 id="needs-you">{t("staff.dashboard")}</h2>
      {nothing ? <p>{t("staff.dashboard.nothing")}</p> : null}
      <ul>
        {needs.toReview.map((r) => (
          <li key={r.slug}>
            <Link to={`${base}/rounds/${r.slug}/proposals`}>
              {t("staff.dashboard.review")} — {pickText(r.title, locale)}
            </Link>
            : <span className="num">{formatNumber(locale, r.count)}</span>
          </li>
        ))}
        {needs.flaggedComments > 0 ? (
          <li>
            <Link to={`${base}/moderation`}>{t("staff.dashboard.flagged")}</Link>:{" "}
            <span className="num">{formatNumber(locale, needs.flaggedComments)}</span>
          </li>
        ) : null}
        {needs.verificationsWaiting > 0 ? (
          <li>
            <Link to={`${base}/verifications`}>{t("staff.dashboard.verifications")}</Link>:{" "}
            <span className="num">{formatNumber(locale, needs.verificationsWaiting)}</span>
          </li>
        ) : null}
      </ul>
      {needs.endingSoon.length > 0 ? (
        <>
          <h3>{t("staff.dashboard.endingSoon")}</h3>
          <ul>
            {needs.endingSoon.map((r) => (
              <li key={r.slug}>
                <Link to={`${base}/rounds/${r.slug}`}>
                  {t("staff.dashboard.endsOn", {
                    round: pickText(r.title, locale),
                    phase: t(phaseLabel[r.phase]),
                    day: formatDay(locale, r.endsOn),
                  })}
                </Link>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
