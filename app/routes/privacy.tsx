import type { MetaFunction } from "@remix-run/node";
import { Link, useSearchParams } from "@remix-run/react";
import { Notice } from "../components/forms";
import { useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import type { MessageKey } from "../domain/i18n";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("privacy.title"));

/** The privacy notice (ADR 0026): the same for everyone, so it needs no loader. */
const sections = ["account", "ids", "ballots", "public", "staff", "yourData"] as const;

export default function Privacy() {
  const t = useT();
  const [params] = useSearchParams();
  return (
    <article className="privacy-notice">
      <Notice text={params.get("deleted") ? t("privacy.deleted") : null} />
      <h1>{t("privacy.title")}</h1>
      <p>{t("privacy.intro")}</p>
      {sections.map((s) => (
        <section key={s}>
          <h2>{t(`privacy.${s}.title` as MessageKey)}</h2>
          <p>{t(`privacy.${s}.body` as MessageKey)}</p>
        </section>
      ))}
      <p>
        <Link to="/account/privacy">{t("privacy.yourData.link")}</Link>
      </p>
    </article>
  );
}
