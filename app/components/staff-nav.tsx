import { Link } from "@remix-run/react";
import { useT } from "./i18n";

/** Links between the staff pages of one round. */
export function RoundStaffNav({ slug, round }: { slug: string; round: string }) {
  const t = useT();
  const base = `/m/${slug}/admin/rounds/${round}`;
  return (
    <nav className="staff-nav" aria-label={t("rounds.manage")}>
      <ul>
        <li>
          <Link to={`/m/${slug}/admin/rounds`}>{t("rounds.manage")}</Link>
        </li>
        <li>
          <Link to={base}>{t("round.phases")}</Link>
        </li>
        <li>
          <Link to={`${base}/envelopes`}>{t("rounds.envelopes")}</Link>
        </li>
        <li>
          <Link to={`${base}/proposals`}>{t("rounds.proposals")}</Link>
        </li>
        <li>
          <Link to={`${base}/eligibility`}>{t("verification.nav.eligibility")}</Link>
        </li>
        <li>
          <Link to={`${base}/turnout`}>{t("rounds.turnout.title")}</Link>
        </li>
        <li>
          <Link to={`${base}/paper`}>{t("paper.title")}</Link>
        </li>
        <li>
          <Link to={`${base}/survey`}>{t("survey.manage")}</Link>
        </li>
        <li>
          <Link to={`${base}/tally`}>{t("rounds.tally.title")}</Link>
        </li>
        <li>
          <Link to={`${base}/implementation`}>{t("implementation.manage")}</Link>
        </li>
        <li>
          <Link to={`/m/${slug}/rounds/${round}`}>{t("rounds.publicPage")}</Link>
        </li>
      </ul>
    </nav>
  );
}
