import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, Notice, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { TextArea } from "../components/rounds";
import { pickText, translator } from "../domain/i18n";
import { deleteLocalHelpPage, listLocalHelpPages, saveLocalHelpPage } from "../services/help/local-pages.server";
import { scopeOf, userActor } from "../services/scope";
import { readForm } from "../web/csrf.server";
import { requireStaff } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { helpMessages } from "../web/refusal-messages/help";
import { refusalResponseFrom } from "../web/refusals.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("help.admin.title"));

/** Staff write the municipality's own help pages (ADR 0037); `?page=<address>` opens one to change. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireStaff(request, context, params.slug);
  const pages = await listLocalHelpPages(context.db, scopeOf(municipality, userActor(user)));
  const editing = new URL(request.url).searchParams.get("page");
  return json({
    slug: municipality.slug,
    name: municipality.name,
    pages: pages.map((p) => ({ id: p.id, slug: p.slug, title: p.title })),
    editing: pages.find((p) => p.slug === editing) ?? null,
  });
}

type Outcome = { errors: Record<string, string> | null; values: Record<string, string>; notice?: string };

const text = (max: number) =>
  z
    .string()
    .catch("")
    .default("")
    .transform((v) => v.slice(0, max));
const helpForm = z.object({
  intent: text(20),
  id: text(100),
  slug: text(200),
  titleEn: text(1_000),
  titleFa: text(1_000),
  bodyEn: text(40_000),
  bodyFa: text(40_000),
});

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireStaff(request, context, params.slug);
  const scope = scopeOf(access.municipality, userActor(access.user));
  const form = await readForm(request);
  const locale = requestLocale(request);
  const t = translator(locale);
  const values = helpForm.parse(Object.fromEntries(form));
  try {
    if (values.intent === "delete") {
      await deleteLocalHelpPage(context.db, scope, { id: values.id });
      return json<Outcome>({ errors: null, values: {}, notice: t("help.admin.deleted") });
    }
    const page = await saveLocalHelpPage(context.db, scope, { ...values, id: values.id || undefined });
    return json<Outcome>({ errors: null, values: {}, notice: t("help.admin.saved", { title: page.title[locale] }) });
  } catch (error) {
    return refusalResponseFrom(error, t, values, helpMessages);
  }
}

export default function LocalHelpEditor() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Outcome | undefined;
  const failed = result?.errors ? result.values : null;
  const editing = failed?.id ? data.pages.find((p) => p.id === failed.id) : data.editing;
  const value = (field: "slug" | "titleEn" | "titleFa" | "bodyEn" | "bodyFa") =>
    failed
      ? failed[field]
      : data.editing
        ? field === "slug"
          ? data.editing.slug
          : field.startsWith("title")
            ? data.editing.title[field === "titleEn" ? "en" : "fa"]
            : data.editing.body[field === "bodyEn" ? "en" : "fa"]
        : "";
  const municipality = pickText(data.name, locale);
  const heading = editing ? t("help.admin.edit", { title: pickText(editing.title, locale) }) : t("help.admin.add");
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/admin`}>{t("nav.admin")}</Link>
      </p>
      <h1>{t("help.admin.title")}</h1>
      <p>{t("help.admin.intro", { municipality })}</p>
      <Notice text={result?.notice} />
      {data.pages.length ? (
        <ul className="help-admin-list">
          {data.pages.map((p) => (
            <li key={p.id}>
              <span dir="auto">{pickText(p.title, locale)}</span>{" "}
              <Link to={`/m/${data.slug}/help/${p.slug}`}>{t("help.admin.view")}</Link>{" "}
              <Link to={`?page=${p.slug}#edit`}>{t("help.admin.change")}</Link>{" "}
              <PostForm className="inline-form">
                <input type="hidden" name="intent" value="delete" />
                <input type="hidden" name="id" value={p.id} />
                <button type="submit" className="link-button">
                  {t("help.admin.delete", { title: pickText(p.title, locale) })}
                </button>
              </PostForm>
            </li>
          ))}
        </ul>
      ) : (
        <p>{t("help.admin.none")}</p>
      )}
      <h2 id="edit">{heading}</h2>
      <ErrorSummary errors={result?.errors} />
      <PostForm noValidate aria-labelledby="edit" key={`${editing?.id ?? "new"}-${result?.notice ?? ""}`}>
        <input type="hidden" name="intent" value="save" />
        {editing ? <input type="hidden" name="id" value={editing.id} /> : null}
        <Field
          name="slug"
          label={t("help.admin.slug")}
          hint={t("help.admin.slugHint")}
          dir="ltr"
          required
          defaultValue={value("slug")}
          error={result?.errors?.slug}
        />
        <Field
          name="titleEn"
          label={t("help.admin.titleEn")}
          dir="ltr"
          required
          defaultValue={value("titleEn")}
          error={result?.errors?.titleEn}
        />
        <Field
          name="titleFa"
          label={t("help.admin.titleFa")}
          dir="rtl"
          required
          defaultValue={value("titleFa")}
          error={result?.errors?.titleFa}
        />
        <TextArea
          name="bodyEn"
          label={t("help.admin.bodyEn")}
          dir="ltr"
          lang="en"
          required
          defaultValue={value("bodyEn")}
          error={result?.errors?.bodyEn}
        />
        <TextArea
          name="bodyFa"
          label={t("help.admin.bodyFa")}
          dir="rtl"
          lang="fa"
          required
          defaultValue={value("bodyFa")}
          error={result?.errors?.bodyFa}
        />
        <button type="submit">{t("help.admin.save")}</button>
      </PostForm>
    </>
  );
}
