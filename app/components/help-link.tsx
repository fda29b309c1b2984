/** The help link every page shows, and an error page's next step (ADR 0037): small, in every page's code. */
import { Link, useLocation } from "@remix-run/react";
import { helpHref } from "../domain/help/catalogue";
import { useT } from "./i18n";

/** The link every page shows to the guide for its task (ADR 0037). */
export function HelpLink() {
  const t = useT();
  const { pathname } = useLocation();
  if (/^\/(help|faq|accessibility)(\/|$)/.test(pathname) || /^\/m\/[^/]+\/help(\/|$)/.test(pathname)) return null;
  return (
    <p className="help-link">
      <Link to={helpHref(pathname)} data-help-link="">
        {t("help.link")}
      </Link>
    </p>
  );
}

/** The section of the "problems" guide for an error page's HTTP status, or for a refused form (400). */
export function problemAnchor(status: number): string {
  if (status === 404) return "page-not-found";
  if (status === 403) return "not-allowed";
  if (status === 429) return "too-many-tries";
  if (status === 400 || status === 409 || status === 413) return "form-refused";
  return "server-error";
}

/** After an error a resident can meet: where to read what to do next. */
export function NextStepLink({ status }: { status: number }) {
  const t = useT();
  return (
    <p className="help-next">
      <Link to={`/help/problems#${problemAnchor(status)}`}>{t("help.nextStepLink")}</Link>
    </p>
  );
}
