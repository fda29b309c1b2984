import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { HelpBlocks } from "../components/help";
import { useLocale, useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { parseMarkdown } from "../domain/help/markdown";
import { formatDateTime, pickText } from "../domain/i18n";
import { localHelpPage } from "../services/help/local-pages.server";
import { observer, scopeOf } from "../services/scope";
import { optionalUser, requireMunicipality } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { requestLocale } from "../web/locale.server";

export const meta: MetaFunction<typeof loader> = ({ matches, data }) =>
  pageTitle(matches, (_t, locale) => [data?.title, data && pickText(data.name, locale)]);

/** One page a municipality's staff wrote (ADR 0037), in the page's language. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const current = await optionalUser(request, context);
  const locale = requestLocale(request, { userLocale: current?.user.locale });
  const page = await localHelpPage(context.db, scopeOf(municipality, observer), { slug: params.page ?? "" });
  if (!page) throw notFound("help page");
  return json({
    slug: municipality.slug,
    name: municipality.name,
    timeZone: municipality.timeZone,
    title: page.title[locale],
    blocks: parseMarkdown(page.body[locale]),
    updatedAt: page.updatedAt.toISOString(),
  });
}

export default function LocalHelpPage() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const municipality = pickText(data.name, locale);
  return (
    <article className="help-page">
      <nav className="help-crumbs" aria-label={t("help.title")}>
        <Link to={`/m/${data.slug}/help`}>{t("help.municipalityHelp", { municipality })}</Link>
      </nav>
      <h1 dir="auto">{data.title}</h1>
      <div dir="auto">
        <HelpBlocks blocks={data.blocks} />
      </div>
      <p className="help-updated">
        {t("help.updated", { date: formatDateTime(locale, new Date(data.updatedAt), data.timeZone) })}
      </p>
      <p className="help-print-note">{t("help.print")}</p>
    </article>
  );
}
