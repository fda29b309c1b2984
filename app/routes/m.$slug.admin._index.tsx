import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "../components/i18n";
import { pickText } from "../domain/i18n";
import { requireStaff } from "../web/guards.server";
import { roundsOf } from "../services/rounds/rounds.server";
import { pageTitle } from "../components/page-title";
import { scopeOf, userActor } from "../services/scope";
import { membersOf } from "../services/accounts/memberships.server";
import { phaseLabel, roleLabel } from "../components/labels";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t, locale) => [
    data && t("admin.title", { municipality: pickText(data.municipality.name, locale) }),
  ]);

/** Council staff dashboard: only staff or admins of this municipality. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, role, user } = await requireStaff(request, context, params.slug);
  const scope = scopeOf(municipality, userActor(user));
  const [roundList, members] = await Promise.all([roundsOf(context.db, scope), membersOf(context.db, scope)]);
  const staff = members.map((m) => ({ displayName: m.displayName, role: m.role }));
  return json({
    municipality: { slug: municipality.slug, name: municipality.name },
    role,
    rounds: roundList.map((r) => ({ slug: r.slug, title: r.title, currentPhase: r.currentPhase })),
    staff,
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
        <li>
          <Link to={`/m/${data.municipality.slug}/admin/verifications`}>{t("verification.nav.verifications")}</Link>
        </li>
        <li>
          <Link to={`/m/${data.municipality.slug}/admin/outbox`}>{t("implementation.outbox.title")}</Link>
        </li>
        <li>
          <Link to={`/m/${data.municipality.slug}/admin/moderation`}>{t("moderation.title")}</Link>
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
