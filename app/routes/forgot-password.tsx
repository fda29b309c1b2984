import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { useActionData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, Notice, PostForm } from "../components/forms";
import { useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { translator } from "../domain/i18n";
import { requestPasswordReset } from "../services/accounts/tokens.server";
import { observer } from "../services/scope";
import { readForm } from "../web/csrf.server";
import { formFailure, validateForm } from "../web/forms.server";
import { requestLocale } from "../web/locale.server";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("forgot.title"));

const schema = z.object({ email: z.string().trim().min(1).max(320).email() });

export async function loader({ request, context }: LoaderFunctionArgs) {
  return json({ pageStrings: await pageStringsFor(context, request, ["forgot."]) });
}

/** The same answer whether or not an account uses the address, and when throttled (ADR 0025). */
export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const result = validateForm(schema, form, t, { email: "auth.email" });
  if (!result.ok) return formFailure(400, result.errors, result.values);
  await requestPasswordReset(context.db, { actor: observer }, { email: result.data.email, ip: context.clientIp });
  return json({ errors: null, values: {}, notice: t("forgot.sent") });
}

export default function ForgotPassword() {
  const t = useT();
  const data = useActionData<typeof action>() as
    | { errors: Record<string, string> | null; values?: Record<string, string>; notice?: string }
    | undefined;
  return (
    <section className="auth-page">
      <h1>{t("forgot.title")}</h1>
      <Notice text={data?.notice} />
      <ErrorSummary errors={data?.errors ?? undefined} />
      <p>{t("forgot.intro")}</p>
      <PostForm noValidate>
        <Field
          name="email"
          type="email"
          label={t("auth.email")}
          defaultValue={data?.values?.email}
          error={data?.errors?.email}
          autoComplete="email"
          required
          dir="ltr"
        />
        <button type="submit">{t("forgot.submit")}</button>
      </PostForm>
    </section>
  );
}
