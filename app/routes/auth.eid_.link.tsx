/**
 * Links an e-ID to an existing account whose address the provider named but did not confirm on both
 * sides (ADR 0038): the account's password, once; then the e-ID signs the person in.
 */
import { isolated } from "../domain/i18n";
import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json, redirect } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, PostForm } from "../components/forms";
import { useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { linkEidAccount, pendingLink } from "../services/eid/eid-login.server";
import { observer } from "../services/scope";
import { readForm } from "../web/csrf.server";
import { eidBrowserToken, eidRefusalMessage, signInFromEid } from "../web/eid.server";
import { type FormFailure, parseFormOr400 } from "../web/forms.server";
import { requestLocale } from "../web/locale.server";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("eid.link.title"));

export async function loader({ request, context }: LoaderFunctionArgs) {
  const pending = await pendingLink(context.db, { actor: observer }, { browserToken: eidBrowserToken(request) });
  if (!pending) return redirect("/auth/eid/callback?shora_error=no_login");
  return json({
    pageStrings: await pageStringsFor(context, request, ["eid.link"]),
    email: pending.email,
  });
}

const linkForm = z.object({ password: z.string().max(1000) });

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const { password } = parseFormOr400(linkForm, form);
  try {
    const linked = await linkEidAccount(
      context.db,
      { actor: observer },
      { browserToken: eidBrowserToken(request), password, ip: context.clientIp },
    );
    return signInFromEid(context, request, {
      userId: linked.userId,
      next: linked.next,
      municipalityId: null,
      claims: null,
      idToken: linked.idToken,
      issuer: linked.issuer,
    });
  } catch (error) {
    const refused = eidRefusalMessage(error, requestLocale(request));
    return json<FormFailure>({ errors: { password: refused.message }, values: {} }, { status: refused.status });
  }
}

export default function EidLink() {
  const t = useT();
  const { email } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  return (
    <section className="auth-page">
      <h1>{t("eid.link.title")}</h1>
      <p>{t("eid.link.intro", { email: isolated(email) })}</p>
      <ErrorSummary errors={data?.errors} />
      <PostForm noValidate>
        <Field
          name="password"
          type="password"
          label={t("auth.password")}
          error={data?.errors?.password}
          autoComplete="current-password"
          required
          dir="ltr"
        />
        <button type="submit">{t("eid.link.submit")}</button>
      </PostForm>
    </section>
  );
}
