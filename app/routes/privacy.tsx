import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { Notice } from "../components/forms";
import { useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { translator } from "../domain/i18n";
import { optionalUser } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { privacySections } from "../web/privacy-notice.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("privacy.title"));

/**
 * The privacy notice (ADR 0026): the same for everyone. Its sections come translated, in the page's
 * language as the root chooses it: the browser's strings leave these long texts out.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const current = await optionalUser(request, context);
  const t = translator(requestLocale(request, { userLocale: current?.user.locale }));
  return json({ sections: privacySections(t) });
}

export default function Privacy() {
  const t = useT();
  const { sections } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  return (
    <article className="privacy-notice">
      <Notice text={params.get("deleted") ? t("privacy.deleted") : null} />
      <h1>{t("privacy.title")}</h1>
      <p>{t("privacy.intro")}</p>
      {sections.map(({ title, body }) => (
        <section key={title}>
          <h2>{title}</h2>
          <p>{body}</p>
        </section>
      ))}
      <p>
        <Link to="/account/privacy">{t("privacy.yourData.link")}</Link>
      </p>
    </article>
  );
}
