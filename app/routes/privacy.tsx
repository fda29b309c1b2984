import type { MetaFunction } from "@remix-run/node";
import { Link, useSearchParams } from "@remix-run/react";
import { Notice } from "../components/forms";
import { useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import type { MessageKey } from "../domain/i18n";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("privacy.title"));

/**
 * The privacy notice (ADR 0026): the same for everyone, so it needs no loader. Keys written out in
 * full: the browser's share of UI strings is found by reading the sources (app/tooling/resident-keys.ts).
 */
const sections: [MessageKey, MessageKey][] = [
  ["privacy.account.title", "privacy.account.body"],
  ["privacy.ids.title", "privacy.ids.body"],
  ["privacy.ballots.title", "privacy.ballots.body"],
  ["privacy.public.title", "privacy.public.body"],
  ["privacy.staff.title", "privacy.staff.body"],
  ["privacy.yourData.title", "privacy.yourData.body"],
];

export default function Privacy() {
  const t = useT();
  const [params] = useSearchParams();
  return (
    <article className="privacy-notice">
      <Notice text={params.get("deleted") ? t("privacy.deleted") : null} />
      <h1>{t("privacy.title")}</h1>
      <p>{t("privacy.intro")}</p>
      {sections.map(([title, body]) => (
        <section key={title}>
          <h2>{t(title)}</h2>
          <p>{t(body)}</p>
        </section>
      ))}
      <p>
        <Link to="/account/privacy">{t("privacy.yourData.link")}</Link>
      </p>
    </article>
  );
}
