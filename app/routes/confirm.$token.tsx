import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { translator } from "../domain/i18n";
import { requestLocale } from "../web/locale.server";
import { confirmAddress } from "../services/accounts/tokens.server";
import { observer } from "../services/scope";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("confirm.title"));

/**
 * The confirmation link of a mail (ADR 0025): following it confirms the address it was sent to, once,
 * within 24 hours. Anything else gets a page that says so (404), never an error.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const outcome = await confirmAddress(context.db, { actor: observer }, { token: params.token ?? "" });
  const message = translator(requestLocale(request))("confirm.invalid");
  return json(outcome.ok ? { ok: true as const, email: outcome.email } : { ok: false as const, email: "", message }, {
    status: outcome.ok ? 200 : 404,
    headers: { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" },
  });
}

export default function Confirm() {
  const t = useT();
  const data = useLoaderData<typeof loader>();
  return (
    <section className="auth-page">
      <h1>{t("confirm.title")}</h1>
      {data.ok ? (
        <p role="status">
          {t("confirm.done")} <bdi dir="ltr">{data.email}</bdi>
        </p>
      ) : (
        <p role="alert">{t("confirm.invalid")}</p>
      )}
      <p>
        <Link to="/account">{t("account.title")}</Link>
      </p>
    </section>
  );
}
