import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, Field, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { type MessageKey, pickText, translator } from "../domain/i18n";
import { newMunicipalitySchema } from "../domain/tenancy/municipality";
import { readForm } from "../web/csrf.server";
import { type FieldErrors, echoValues, validateForm } from "../web/forms.server";
import { requirePlatformAdmin } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { SlugTakenError, createMunicipality, listMunicipalities } from "../services/tenancy/municipality.server";
import { pageTitle } from "../components/page-title";
import { userActor } from "../services/scope";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("platform.title"));

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePlatformAdmin(request, context);
  const municipalities = await listMunicipalities(context.db, { actor: userActor(user) });
  return json({ municipalities: municipalities.map((m) => ({ slug: m.slug, name: m.name })) });
}

const labels: Record<string, MessageKey> = {
  slug: "platform.slug",
  nameEn: "platform.nameEn",
  nameFa: "platform.nameFa",
  defaultLocale: "platform.defaultLocale",
  timeZone: "platform.timeZone",
  currency: "platform.currency",
  adminEmail: "platform.adminEmail",
  adminName: "platform.adminName",
  adminPassword: "platform.adminPassword",
};

export async function action({ request, context }: ActionFunctionArgs) {
  await requirePlatformAdmin(request, context);
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const result = validateForm(newMunicipalitySchema, form, t, labels);
  type Outcome = { errors: FieldErrors | null; values: Record<string, string>; created: string | null };
  if (!result.ok)
    return json<Outcome>({ errors: result.errors, values: result.values, created: null }, { status: 400 });
  const input = result.data;
  try {
    await createMunicipality(context.db, {
      slug: input.slug,
      name: { en: input.nameEn, ...(input.nameFa ? { fa: input.nameFa } : {}) },
      defaultLocale: input.defaultLocale,
      timeZone: input.timeZone,
      currency: input.currency,
      admin: { email: input.adminEmail, displayName: input.adminName, password: input.adminPassword },
    });
  } catch (error) {
    if (error instanceof SlugTakenError) {
      return json<Outcome>(
        { errors: { slug: t("platform.slugTaken") }, values: echoValues(form), created: null },
        { status: 400 },
      );
    }
    throw error;
  }
  return json<Outcome>({ errors: null, values: {}, created: input.slug });
}

export default function PlatformAdmin() {
  const t = useT();
  const locale = useLocale();
  const { municipalities } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const values = data?.values ?? {};
  const errors = data?.errors ?? undefined;
  return (
    <>
      <h1>{t("platform.title")}</h1>
      <p>
        <Link to="/admin/mail">{t("mailViewer.title")}</Link>
      </p>
      {data?.created ? (
        <p className="notice" role="status">
          {t("platform.created", { name: data.created })}
        </p>
      ) : null}
      <h2>{t("platform.existing")}</h2>
      <ul>
        {municipalities.map((m) => (
          <li key={m.slug}>
            <Link to={`/m/${m.slug}`}>{pickText(m.name, locale)}</Link> <code>{m.slug}</code>
          </li>
        ))}
      </ul>
      <h2>{t("platform.createMunicipality")}</h2>
      <ErrorSummary errors={errors} />
      <PostForm noValidate>
        <Field
          name="slug"
          label={t("platform.slug")}
          defaultValue={values.slug}
          error={errors?.slug}
          required
          dir="ltr"
        />
        <Field
          name="nameEn"
          label={t("platform.nameEn")}
          defaultValue={values.nameEn}
          error={errors?.nameEn}
          required
          dir="ltr"
        />
        <Field
          name="nameFa"
          label={t("platform.nameFa")}
          defaultValue={values.nameFa}
          error={errors?.nameFa}
          dir="rtl"
        />
        <div className="field">
          <label htmlFor="field-defaultLocale">{t("platform.defaultLocale")}</label>
          <select id="field-defaultLocale" name="defaultLocale" defaultValue={values.defaultLocale ?? "fa"}>
            <option value="fa">{t("locale.fa")}</option>
            <option value="en">{t("locale.en")}</option>
          </select>
        </div>
        <Field
          name="timeZone"
          label={t("platform.timeZone")}
          defaultValue={values.timeZone ?? "Asia/Tehran"}
          error={errors?.timeZone}
          required
          dir="ltr"
        />
        <Field
          name="currency"
          label={t("platform.currency")}
          defaultValue={values.currency ?? "IRR"}
          error={errors?.currency}
          required
          dir="ltr"
        />
        <Field
          name="adminName"
          label={t("platform.adminName")}
          defaultValue={values.adminName}
          error={errors?.adminName}
          required
        />
        <Field
          name="adminEmail"
          type="email"
          label={t("platform.adminEmail")}
          defaultValue={values.adminEmail}
          error={errors?.adminEmail}
          required
          dir="ltr"
        />
        <Field
          name="adminPassword"
          type="password"
          label={t("platform.adminPassword")}
          hint={t("auth.passwordHint")}
          error={errors?.adminPassword}
          autoComplete="new-password"
          required
          dir="ltr"
        />
        <button type="submit">{t("platform.create")}</button>
      </PostForm>
    </>
  );
}
