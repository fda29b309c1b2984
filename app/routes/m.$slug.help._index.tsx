import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { HelpIndexView } from "../components/help";
import { useLocale, useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { parseMarkdown, plainText } from "../domain/help/markdown";
import { pickText } from "../domain/i18n";
import { listLocalHelpPages } from "../services/help/local-pages.server";
import { observer, scopeOf } from "../services/scope";
import { helpIndex } from "../web/help-content.server";
import { optionalUser, requireMunicipality } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";

export const meta: MetaFunction<typeof loader> = ({ matches, data }) =>
  pageTitle(matches, (t, locale) => [
    data && t("help.municipalityHelp", { municipality: pickText(data.name, locale) }),
  ]);

/**
 * A municipality's help centre (ADR 0037): the pages its staff wrote, then the platform's guides;
 * `?q=` searches both.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const current = await optionalUser(request, context);
  const locale = requestLocale(request, { userLocale: current?.user.locale });
  const pages = await listLocalHelpPages(context.db, scopeOf(municipality, observer));
  const local = pages.map((p) => ({
    href: `/m/${municipality.slug}/help/${p.slug}`,
    title: p.title[locale],
    text: plainText(parseMarkdown(p.body[locale])),
  }));
  return json({
    slug: municipality.slug,
    name: municipality.name,
    local: local.map(({ href, title }) => ({ href, title })),
    ...helpIndex(locale, new URL(request.url), local),
  });
}

export default function MunicipalityHelp() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const municipality = pickText(data.name, locale);
  return (
    <article className="help-centre">
      <p className="help-crumbs">
        <Link to={`/m/${data.slug}`}>{municipality}</Link>
      </p>
      <h1>{t("help.municipalityHelp", { municipality })}</h1>
      <p>{t("help.intro")}</p>
      <HelpIndexView action={`/m/${data.slug}/help`} query={data.query} hits={data.hits} sections={data.sections}>
        {data.local.length ? (
          <section aria-labelledby="help-local" className="card help-local">
            <h2 id="help-local">{t("help.local.title", { municipality })}</h2>
            <p>{t("help.local.intro", { municipality })}</p>
            <ul>
              {data.local.map((p) => (
                <li key={p.href}>
                  <Link to={p.href}>{p.title}</Link>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </HelpIndexView>
    </article>
  );
}
