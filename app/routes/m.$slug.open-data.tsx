import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "../components/i18n";
import { pickText } from "../domain/i18n";
import { requireMunicipality } from "../web/guards.server";
import { observer, scopeOf } from "../services/scope";
import { openDataIndex } from "../services/tally/open-data.server";
import { pageTitle } from "../components/page-title";
import { phaseLabel } from "../components/labels";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("openData.title"));

/** Public: every round with its results and bundle, for observers and journalists. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const index = await openDataIndex(context.db, scopeOf(municipality, observer), {
    origin: new URL(request.url).origin,
  });
  return json({
    pageStrings: await pageStringsFor(context, request, [
      "openData.title",
      "openData.intro",
      "openData.round",
      "openData.phase",
      "openData.links",
      "openData.notPublished",
      "openData.results",
      "openData.bundle",
      "openData.apiDocument",
    ]),
    slug: municipality.slug,
    name: municipality.name,
    rounds: index.rounds,
  });
}

export default function OpenData() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const api = `/m/${data.slug}/api/rounds`;
  return (
    <>
      <h1>{t("openData.title")}</h1>
      <p>
        {t("openData.intro", { municipality: pickText(data.name, locale) })}{" "}
        <a href={api}>
          <code>{api}</code>
        </a>
      </p>
      <p>
        {t("openData.apiDocument")}{" "}
        <a href="/api/openapi.json">
          <code>/api/openapi.json</code>
        </a>
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">{t("openData.round")}</th>
            <th scope="col">{t("openData.phase")}</th>
            <th scope="col">{t("openData.links")}</th>
          </tr>
        </thead>
        <tbody>
          {data.rounds.map((r) => (
            <tr key={r.slug}>
              <th scope="row">
                <Link to={`/m/${data.slug}/rounds/${r.slug}`}>{pickText(r.title, locale)}</Link>
              </th>
              <td>{r.phase ? t(phaseLabel[r.phase]) : "—"}</td>
              <td>
                {r.published ? (
                  <>
                    <Link to={`/m/${data.slug}/rounds/${r.slug}/results`}>{t("openData.results")}</Link> ·{" "}
                    <a href={`/m/${data.slug}/rounds/${r.slug}/bundle.zip`} download>
                      {t("openData.bundle")}
                    </a>{" "}
                    · <a href={`/m/${data.slug}/api/rounds/${r.slug}/results`}>JSON</a>
                  </>
                ) : (
                  t("openData.notPublished")
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
