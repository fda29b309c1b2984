import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json, redirect } from "@remix-run/node";
import { observer } from "../services/scope";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, Notice, PostForm } from "../components/forms";
import { useT } from "../components/i18n";
import { NAME_CHARACTERS, nameIsPlain } from "../domain/accounts/names";
import { translator } from "../domain/i18n";
import { MIN_PASSWORD_LENGTH, recordSignupFailure, signup, signupThrottled } from "../services/accounts/auth.server";
import { readForm } from "../web/csrf.server";
import { formFailure, validateForm } from "../web/forms.server";
import { optionalUser } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { pageStringsFor } from "../web/page-strings.server";
import { startSession } from "../web/session.server";
import { pageTitle } from "../components/page-title";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("auth.signup.title"));

const schema = z.object({
  displayName: z.string().trim().min(1).max(120).refine(nameIsPlain, NAME_CHARACTERS),
  email: z.string().trim().min(1).max(320).email(),
  password: z.string().min(MIN_PASSWORD_LENGTH).max(1000),
});

/** Where every sign-up is sent, new address or taken: an account goes on to /account, a visitor reads `sent`. */
const AFTER_SIGNUP = "/signup?sent=1";

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (await optionalUser(request, context)) return redirect("/account");
  const sent = new URL(request.url).searchParams.has("sent");
  return json({ sent, pageStrings: sent ? await pageStringsFor(context, request, ["confirm.signupSent"]) : {} });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const locale = requestLocale(request);
  const t = translator(locale);
  const email = String(form.get("email") ?? "");
  const ip = context.clientIp;
  if (await signupThrottled(context.db, { actor: observer }, { email, ip })) {
    return formFailure(429, { form: t("auth.error.throttled") }, {});
  }
  const result = validateForm(schema, form, t, {
    displayName: "auth.displayName",
    email: "auth.email",
    password: "auth.password",
  });
  if (!result.ok) {
    await recordSignupFailure(context.db, { actor: observer }, { email, ip });
    return formFailure(400, result.errors, result.values);
  }
  const outcome = await signup(context.db, { actor: observer }, { ...result.data, locale, ip });
  if (!outcome.ok) {
    const values = { displayName: result.data.displayName, email: result.data.email };
    if (outcome.code === "throttled") return formFailure(429, { form: t("auth.error.throttled") }, values);
    // An address that already has an account gets the same redirect as a new one, without a session;
    // its owner gets a message saying someone tried (ADR 0025).
    return redirect(AFTER_SIGNUP);
  }
  const cookie = await startSession(context.db, request, outcome.userId);
  return redirect(AFTER_SIGNUP, { headers: { "Set-Cookie": cookie } });
}

export default function Signup() {
  const t = useT();
  const data = useActionData<typeof action>();
  const loaded = useLoaderData<typeof loader>();
  const values = data?.values ?? {};
  return (
    <section className="auth-page">
      <h1>{t("auth.signup.title")}</h1>
      <Notice text={loaded.sent ? t("confirm.signupSent") : null} />
      <ErrorSummary errors={data?.errors} />
      <PostForm noValidate>
        <Field
          name="displayName"
          label={t("auth.displayName")}
          defaultValue={values.displayName}
          error={data?.errors?.displayName}
          autoComplete="name"
          required
        />
        <Field
          name="email"
          type="email"
          label={t("auth.email")}
          defaultValue={values.email}
          error={data?.errors?.email}
          autoComplete="email"
          required
          dir="ltr"
        />
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
        <button type="submit">{t("auth.signup.submit")}</button>
      </PostForm>
      <p>
        {t("auth.signup.haveAccount")} <Link to="/login">{t("nav.login")}</Link>
      </p>
    </section>
  );
}
