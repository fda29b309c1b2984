import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, Notice, PostForm } from "../components/forms";
import { useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { translator } from "../domain/i18n";
import { MIN_PASSWORD_LENGTH } from "../services/accounts/auth.server";
import { resetPassword, resetTokenUsable } from "../services/accounts/tokens.server";
import { observer } from "../services/scope";
import { readForm } from "../web/csrf.server";
import { formFailure, validateForm } from "../web/forms.server";
import { requestLocale } from "../web/locale.server";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("reset.title"));

const NO_STORE = { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" };

/** The reset link of a mail (ADR 0025): a form while the link is usable, else a page saying why not (404). */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const usable = await resetTokenUsable(context.db, { actor: observer }, { token: params.token ?? "" });
  const pageStrings = await pageStringsFor(context, request, ["forgot.title", "reset."]);
  if (usable) return json({ usable, pageStrings }, { headers: NO_STORE });
  const message = translator(requestLocale(request))("reset.invalid");
  return json({ usable, message, pageStrings }, { status: 404, headers: NO_STORE });
}

const schema = z.object({ password: z.string().min(MIN_PASSWORD_LENGTH).max(1000) });

/** Sets the new password once; every session of the account ends. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const result = validateForm(schema, form, t, { password: "auth.password" });
  if (!result.ok) return formFailure(400, result.errors, {});
  const outcome = await resetPassword(
    context.db,
    { actor: observer },
    { token: params.token ?? "", password: result.data.password },
  );
  if (!outcome.ok)
    return json({ errors: { form: t("reset.invalid") }, values: {}, done: false, invalid: true }, { status: 404 });
  return json({ errors: null, values: {}, done: true, invalid: false });
}

export default function ResetPassword() {
  const t = useT();
  const loaded = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>() as
    | { errors: Record<string, string> | null; done?: boolean; invalid?: boolean }
    | undefined;
  if (data?.done)
    return (
      <section className="auth-page">
        <h1>{t("reset.title")}</h1>
        <Notice text={t("reset.done")} />
        <p>
          <Link to="/login">{t("nav.login")}</Link>
        </p>
      </section>
    );
  if (!loaded.usable || data?.invalid)
    return (
      <section className="auth-page">
        <h1>{t("reset.title")}</h1>
        <p role="alert">{t("reset.invalid")}</p>
        <p>
          <Link to="/forgot-password">{t("forgot.title")}</Link>
        </p>
      </section>
    );
  return (
    <section className="auth-page">
      <h1>{t("reset.title")}</h1>
      <ErrorSummary errors={data?.errors ?? undefined} />
      <PostForm noValidate>
        <Field
          name="password"
          type="password"
          label={t("auth.password")}
          hint={t("auth.passwordHint")}
          error={data?.errors?.password}
          autoComplete="new-password"
          required
          dir="ltr"
        />
        <button type="submit">{t("reset.submit")}</button>
      </PostForm>
    </section>
  );
}
