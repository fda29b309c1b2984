import { ErrorSummary, Field, PostForm } from "./forms";
import { useT } from "./i18n";

/** The sign-in's second step (ADR 0026): a code of the authenticator app, or a recovery code. */
export function SecondFactorStep({ next, errors }: { next: string; errors?: Record<string, string> | null }) {
  const t = useT();
  return (
    <section className="auth-page">
      <h1>{t("security.signIn.title")}</h1>
      <ErrorSummary errors={errors} />
      <PostForm noValidate>
        <input type="hidden" name="intent" value="code" />
        <input type="hidden" name="next" value={next} />
        <Field
          name="code"
          label={t("security.code")}
          hint={t("security.signIn.help")}
          error={errors?.code}
          autoComplete="one-time-code"
          required
          dir="ltr"
        />
        <button type="submit">{t("security.signIn.submit")}</button>
      </PostForm>
    </section>
  );
}
