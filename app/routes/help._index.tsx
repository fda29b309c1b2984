import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { HelpIndexView } from "../components/help";
import { useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { helpIndex } from "../web/help-content.server";
import { optionalUser } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("help.title"));

/** The help centre (ADR 0037): every guide by section, and `?q=` searching titles and texts. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const current = await optionalUser(request, context);
  const locale = requestLocale(request, { userLocale: current?.user.locale });
  return json(helpIndex(locale, new URL(request.url)));
}

export default function HelpCentre() {
  const t = useT();
  const data = useLoaderData<typeof loader>();
  return (
    <article className="help-centre">
      <h1>{t("help.title")}</h1>
      <p>{t("help.intro")}</p>
      <HelpIndexView action="/help" query={data.query} hits={data.hits} sections={data.sections} />
    </article>
  );
}
