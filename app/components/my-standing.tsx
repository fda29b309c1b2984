import { Link } from "@remix-run/react";
import { formatDay, pickText, isolated } from "../domain/i18n";
import type { LocalizedText } from "../domain/i18n";
import { useLocale, useT } from "./i18n";

type Standing =
  | { kind: "login" }
  | { kind: "verify" }
  | { kind: "vote"; envelopes: { slug: string; name: LocalizedText }[] }
  | {
      kind: "voted";
      ballots: { envelope: { slug: string; name: LocalizedText }; ballotId: string; channel: string; day: string }[];
    };

/** Where the visitor stands in a round that is voting: log in, verify, vote, or see and change their vote. */
export function MyStanding({ standing, base, slug }: { standing: Standing; base: string; slug: string }) {
  const t = useT();
  const locale = useLocale();
  return (
    <section className="my-standing" aria-labelledby="my-standing" data-testid="my-standing">
      <h2 id="my-standing">{t("myballot.standing.title")}</h2>
      {standing.kind === "login" ? (
        <p>
          <Link to={`/login?next=${encodeURIComponent(base)}`}>{t("myballot.standing.login")}</Link>
        </p>
      ) : standing.kind === "verify" ? (
        <p>
          <Link to={`/m/${slug}/verify`}>{t("myballot.standing.verify")}</Link>
        </p>
      ) : standing.kind === "vote" ? (
        <>
          <p>{t("myballot.standing.vote")}</p>
          <ul>
            {standing.envelopes.map((e) => (
              <li key={e.slug}>
                <Link to={`${base}/vote/${e.slug}`}>{pickText(e.name, locale)}</Link>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <ul>
          {standing.ballots.map((b) => (
            <li key={b.envelope.slug}>
              {t("myballot.standing.voted", {
                envelope: isolated(pickText(b.envelope.name, locale)),
                date: formatDay(locale, b.day),
              })}{" "}
              <Link to={`${base}/vote/${b.envelope.slug}`}>{t("myballot.standing.see")}</Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
