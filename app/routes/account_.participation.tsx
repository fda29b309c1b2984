import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "../components/i18n";
import { phaseLabel } from "../components/labels";
import { pageTitle } from "../components/page-title";
import { formatDay, pickText } from "../domain/i18n";
import { myParticipation } from "../services/ballots/my-ballots.server";
import { userActor } from "../services/scope";
import { requireUser } from "../web/guards.server";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("myballot.participation.title"));

/** The logged-in resident's rounds, when they voted in each envelope, and their receipts to download again. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return json({
    pageStrings: await pageStringsFor(context, request, ["myballot.standing", "myballot.participation"]),
    places: await myParticipation(context.db, { actor: userActor(user) }),
  });
}

export default function Participation() {
  const t = useT();
  const locale = useLocale();
  const { places } = useLoaderData<typeof loader>();
  return (
    <>
      <p>
        <Link to="/account">{t("account.title")}</Link>
      </p>
      <h1>{t("myballot.participation.title")}</h1>
      <p>{t("myballot.participation.intro")}</p>
      {places.length === 0 ? <p>{t("myballot.participation.none")}</p> : null}
      {places.map((m) => (
        <section key={m.slug} aria-labelledby={`town-${m.slug}`}>
          <h2 id={`town-${m.slug}`}>{pickText(m.name, locale)}</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("myballot.participation.round")}</th>
                <th scope="col">{t("myballot.participation.envelope")}</th>
                <th scope="col">{t("myballot.participation.when")}</th>
                <th scope="col">{t("myballot.participation.receipt")}</th>
              </tr>
            </thead>
            <tbody>
              {m.rounds.flatMap((r) => {
                const base = `/m/${m.slug}/rounds/${r.slug}`;
                const round = (
                  <>
                    <Link to={base}>{pickText(r.title, locale)}</Link>
                    {r.phase ? <> ({t(phaseLabel[r.phase])})</> : null}
                  </>
                );
                if (r.ballots.length === 0)
                  return [
                    <tr key={r.slug}>
                      <td>{round}</td>
                      <td>—</td>
                      <td>{r.phase === "voting" ? t("myballot.standing.notYet") : "—"}</td>
                      <td>—</td>
                    </tr>,
                  ];
                return r.ballots.map((b) => (
                  <tr key={`${r.slug}/${b.envelope.slug}`}>
                    <td>{round}</td>
                    <td>
                      <Link to={`${base}/vote/${b.envelope.slug}`}>{pickText(b.envelope.name, locale)}</Link>
                    </td>
                    <td>{formatDay(locale, b.day)}</td>
                    <td>
                      <a href={`${base}/receipt.json?ballot=${b.ballotId}`} download>
                        {t("myballot.participation.download")}
                      </a>
                    </td>
                  </tr>
                ));
              })}
            </tbody>
          </table>
        </section>
      ))}
    </>
  );
}
