import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { HelpBlocks } from "../components/help";
import { useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { helpGuide } from "../web/help-content.server";
import { optionalUser } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { requestLocale } from "../web/locale.server";

export const meta: MetaFunction<typeof loader> = ({ matches, data }) =>
  pageTitle(matches, (t) => [data?.title, t("help.title")]);

/** One guide of the help centre (ADR 0037), in the page's language, rendered on the server. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const current = await optionalUser(request, context);
  const locale = requestLocale(request, { userLocale: current?.user.locale });
  const guide = helpGuide(locale, params.page ?? "");
  if (!guide) throw notFound("help page");
  return json({ slug: guide.slug, title: guide.title, blocks: guide.blocks });
}

export default function HelpGuide() {
  const t = useT();
  const data = useLoaderData<typeof loader>();
  return (
    <article className="help-page">
      <nav className="help-crumbs" aria-label={t("help.title")}>
        <Link to="/help">{t("help.allGuides")}</Link>
      </nav>
      <h1>{data.title}</h1>
      <HelpBlocks blocks={data.blocks} />
      <p className="help-print-note">{t("help.print")}</p>
    </article>
  );
}
