import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { HelpBlocks } from "../components/help";
import { useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { helpGuide } from "../web/help-content.server";
import { optionalUser } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";

export const meta: MetaFunction<typeof loader> = ({ matches, data }) => pageTitle(matches, () => [data?.title]);

/** The accessibility statement (ADR 0037): the help centre's guide of that name, at its usual address. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const current = await optionalUser(request, context);
  const locale = requestLocale(request, { userLocale: current?.user.locale });
  const guide = helpGuide(locale, "accessibility");
  if (!guide) throw new Error("the accessibility statement is missing from app/content/help");
  return json({ title: guide.title, blocks: guide.blocks });
}

export default function AccessibilityStatement() {
  const t = useT();
  const data = useLoaderData<typeof loader>();
  return (
    <article className="help-page">
      <nav className="help-crumbs" aria-label={t("help.title")}>
        <Link to="/help">{t("help.allGuides")}</Link>
      </nav>
      <h1>{data.title}</h1>
      <HelpBlocks blocks={data.blocks} />
    </article>
  );
}
