import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json, redirect } from "@remix-run/node";
import { observer } from "../services/scope";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, PostForm } from "../components/forms";
import { useT } from "../components/i18n";
import { translator } from "../domain/i18n";
import { login } from "../services/accounts/auth.server";
import { readForm } from "../web/csrf.server";
import { echoValues, formFailure, validateForm } from "../web/forms.server";
import { optionalUser } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { safeRedirect } from "../web/redirects.server";
import { afterPassword, finishSignIn, hasPendingSignIn } from "../web/second-factor.server";
import { SecondFactorStep } from "../components/second-factor";
import { pageTitle } from "../components/page-title";
import { eidProviderFor } from "../services/eid/municipality-provider.server";
import { findMunicipality } from "../services/tenancy/municipality.server";
import { pageStringsFor } from "../web/page-strings.server";

/**
 * The e-ID button's label in the visitor's language, or null when no provider is configured (ADR
 * 0038): the provider of the municipality the visitor is going to, else the installation's.
 */
async function eidButton(request: Request, context: LoaderFunctionArgs["context"], next: string) {
  const slug = municipalityOf(next);
  const municipality = slug ? await findMunicipality(context.db, slug) : null;
  const provider = await eidProviderFor(context.db, { municipalityId: municipality?.id ?? null });
  return provider ? provider.label[requestLocale(request)] : null;
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("auth.login.title"));

const schema = z.object({
  email: z.string().trim().min(1).max(320).email(),
  password: z.string().min(1).max(1000),
  next: z.string().optional(),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const next = safeRedirect(new URL(request.url).searchParams.get("next"));
  if (await optionalUser(request, context)) return redirect(next);
  const step = new URL(request.url).searchParams.get("step");
  const eid = await eidButton(request, context, next);
  if (step === "code" && (await hasPendingSignIn(context, request)))
    return json({
      next,
      step: "code" as const,
      eid,
      pageStrings: await pageStringsFor(context, request, [
        "eid.login",
        "forgot.link",
        "security.code",
        "security.signIn",
      ]),
    });
  return json({
    next,
    step: "password" as const,
    eid,
    pageStrings: await pageStringsFor(context, request, [
      "eid.login",
      "forgot.link",
      "security.code",
      "security.signIn",
    ]),
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const next = safeRedirect(form.get("next"));
  const t = translator(requestLocale(request));
  if (form.get("intent") === "code") return finishSignIn(context, request, { form, next, t });
  const result = validateForm(schema, form, t, { email: "auth.email", password: "auth.password" });
  if (!result.ok) return formFailure(400, result.errors, result.values);
  const outcome = await login(context.db, { actor: observer }, { ...result.data, ip: context.clientIp });
  if (!outcome.ok) {
    const throttled = outcome.code === "throttled";
    return formFailure(
      throttled ? 429 : 401,
      { form: t(throttled ? "auth.error.throttled" : "auth.error.invalidCredentials") },
      echoValues(form),
    );
  }
  return afterPassword(context, request, { userId: outcome.userId, next });
}

/** The municipality a return address is inside (`/m/<slug>/…`): a resident coming from there is verified there. */
function municipalityOf(next: string): string {
  return /^\/m\/([A-Za-z0-9-]+)(?:[/?#]|$)/.exec(next)?.[1] ?? "";
}

export default function Login() {
  const t = useT();
  const data = useActionData<typeof action>();
  const loaded = useLoaderData<typeof loader>();
  const values = data?.values ?? {};
  if (loaded.step === "code" || values.intent === "code")
    return <SecondFactorStep next={values.next ?? loaded.next} errors={data?.errors} />;
  return (
    <section className="auth-page">
      <h1>{t("auth.login.title")}</h1>
      <ErrorSummary errors={data?.errors} />
      <PostForm noValidate>
        <input type="hidden" name="next" value={values.next ?? loaded.next} />
        <Field
          name="email"
          type="email"
          label={t("auth.email")}
          defaultValue={values.email}
          error={data?.errors?.email}
          autoComplete="username"
          required
          dir="ltr"
        />
        <Field
          name="password"
          type="password"
          label={t("auth.password")}
          error={data?.errors?.password}
          autoComplete="current-password"
          required
          dir="ltr"
        />
        <button type="submit">{t("auth.login.submit")}</button>
      </PostForm>
      {loaded.eid ? (
        <>
          <p>{t("eid.login.or")}</p>
          <PostForm action="/auth/eid" reloadDocument>
            <input type="hidden" name="next" value={values.next ?? loaded.next} />
            {municipalityOf(values.next ?? loaded.next) ? (
              <input type="hidden" name="municipality" value={municipalityOf(values.next ?? loaded.next)} />
            ) : null}
            <button type="submit" className="eid-button">
              {loaded.eid}
            </button>
          </PostForm>
        </>
      ) : null}
      <p>
        {t("auth.login.noAccount")} <Link to="/signup">{t("nav.signup")}</Link>
      </p>
      <p>
        <Link to="/forgot-password">{t("forgot.link")}</Link>
      </p>
    </section>
  );
}
