import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { pickText, translator, isolated } from "../domain/i18n";
import { deleteMyAccount, exportMyData, retainedRecords } from "../services/accounts/privacy.server";
import { secondFactorRequired } from "../services/accounts/two-factor.server";
import { userActor } from "../services/scope";
import { readForm } from "../web/csrf.server";
import { type FormFailure, parseFormOr400 } from "../web/forms.server";
import { requireUser } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { refusalResponseFrom } from "../web/refusals.server";
import { privacyMessages } from "../web/refusal-messages/privacy";
import { endSession } from "../web/session.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("privacy.mine.title"));

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const [kept, staff] = await Promise.all([
    retainedRecords(context.db, { actor: userActor(user) }),
    secondFactorRequired(context.db, { userId: user.id }),
  ]);
  return json({ kept, staff });
}

const privacyForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("download") }),
  z.object({ intent: z.literal("delete"), password: z.string().max(1000) }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = await readForm(request);
  const input = parseFormOr400(privacyForm, form);
  const scope = { actor: userActor(user) };
  if (input.intent === "download") {
    const data = await exportMyData(context.db, scope);
    return new Response(`${JSON.stringify(data, null, 2)}\n`, {
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": 'attachment; filename="shora-my-data.json"',
        "Cache-Control": "no-store",
      },
    });
  }
  try {
    await deleteMyAccount(context.db, scope, { password: input.password });
  } catch (error) {
    return refusalResponseFrom(error, translator(requestLocale(request)), {}, privacyMessages);
  }
  const cookie = await endSession(context.db, request);
  return redirect("/privacy?deleted=1", { headers: { "Set-Cookie": cookie } });
}

export default function MyData() {
  const t = useT();
  const locale = useLocale();
  const { kept, staff } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>() as FormFailure | undefined;
  return (
    <>
      <h1>{t("privacy.mine.title")}</h1>
      <p>
        <Link to="/privacy">{t("privacy.title")}</Link>
      </p>
      <ErrorSummary errors={data?.errors} />
      <h2>{t("privacy.mine.download.title")}</h2>
      <p>{t("privacy.mine.download.help")}</p>
      <PostForm reloadDocument>
        <input type="hidden" name="intent" value="download" />
        <button type="submit">{t("privacy.mine.download.submit")}</button>
      </PostForm>
      <h2>{t("privacy.mine.delete.title")}</h2>
      <p>{t("privacy.mine.delete.help")}</p>
      {kept.length === 0 ? (
        <p>{t("privacy.mine.delete.noRetention")}</p>
      ) : (
        <ul>
          {kept.map((m) => (
            <li key={m.slug}>
              {t("privacy.mine.delete.retention", {
                municipality: isolated(pickText(m.name, locale)),
                months: m.months,
              })}
            </li>
          ))}
        </ul>
      )}
      {staff ? (
        <p>{t("privacy.mine.delete.staff")}</p>
      ) : (
        <PostForm noValidate>
          <input type="hidden" name="intent" value="delete" />
          <Field
            name="password"
            type="password"
            label={t("privacy.mine.delete.password")}
            error={data?.errors?.password}
            autoComplete="current-password"
            required
            dir="ltr"
          />
          <button type="submit" className="danger">
            {t("privacy.mine.delete.submit")}
          </button>
        </PostForm>
      )}
    </>
  );
}
