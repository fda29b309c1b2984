import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { PostForm } from "../components/forms";
import { useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { translator } from "../domain/i18n";
import { requestLocale } from "../web/locale.server";
import { readForm } from "../web/csrf.server";
import { confirmAddress, confirmationPending } from "../services/accounts/tokens.server";
import { observer } from "../services/scope";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("confirm.title"));

const headers = { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" };

/**
 * The confirmation link of a mail (ADR 0025): opening it shows a button and changes nothing, so a
 * mail scanner fetching links cannot confirm (ADR 0033); pressing it confirms the address the link was
 * sent to, once, within 24 hours. Anything else gets a page that says so (404), never an error.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const pending = await confirmationPending(context.db, { actor: observer }, { token: params.token ?? "" });
  const pageStrings = await pageStringsFor(context, request, ["confirm."]);
  if (pending) return json({ pending: true as const, message: null, pageStrings }, { headers });
  const message = translator(requestLocale(request))("confirm.invalid");
  return json({ pending: false as const, message, pageStrings }, { status: 404, headers });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  await readForm(request);
  const outcome = await confirmAddress(context.db, { actor: observer }, { token: params.token ?? "" });
  if (outcome.ok) return json({ ok: true as const, email: outcome.email, errors: null }, { headers });
  const errors = { form: translator(requestLocale(request))("confirm.invalid") };
  return json({ ok: false as const, email: "", errors }, { status: 404, headers });
}

export default function Confirm() {
  const t = useT();
  const loaded = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section className="auth-page">
      <h1>{t("confirm.title")}</h1>
      {result?.ok ? (
        <p role="status">
          {t("confirm.done")} <bdi dir="ltr">{result.email}</bdi>
        </p>
      ) : result || !loaded.pending ? (
        <p role="alert">{t("confirm.invalid")}</p>
      ) : (
        <PostForm>
          <p>{t("confirm.ask")}</p>
          <button type="submit">{t("confirm.submit")}</button>
        </PostForm>
      )}
      <p>
        <Link to="/account" className="button secondary">
          {t("account.title")}
        </Link>
      </p>
    </section>
  );
}
