import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { PostForm } from "../components/forms";
import { useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { readUnsubscribeToken, unsubscribe } from "../services/mail/outbox.server";
import { observer } from "../services/scope";
import { translator } from "../domain/i18n";
import { isOneClickUnsubscribe, readForm } from "../web/csrf.server";
import { requestLocale } from "../web/locale.server";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("unsubscribe.title"));

/** The unsubscribe link of a mail (ADR 0025): signed, works without logging in; asks before acting. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const target = readUnsubscribeToken(params.token ?? "");
  const headers = { "Cache-Control": "no-store" };
  const pageStrings = await pageStringsFor(context, request, [
    "notifications.title",
    "notifications.topic",
    "unsubscribe.",
  ]);
  if (target) return json({ topic: target.topic, pageStrings }, { headers });
  const message = translator(requestLocale(request))("unsubscribe.invalid");
  return json({ topic: null, message, pageStrings }, { status: 404, headers });
}

/**
 * Switches the topic off: from the page's form (with the CSRF token), or an RFC 8058 one-click POST
 * of a mail client (no cookie, body `List-Unsubscribe=One-Click`).
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  if (!(await isOneClickUnsubscribe(request))) await readForm(request);
  const token = params.token ?? "";
  const done = await unsubscribe(context.db, { actor: observer }, { token });
  const errors = done ? null : { form: translator(requestLocale(request))("unsubscribe.invalid") };
  return json({ done, errors, topic: readUnsubscribeToken(token)?.topic ?? null }, { status: done ? 200 : 404 });
}

export default function Unsubscribe() {
  const t = useT();
  const loaded = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const topic = result?.topic ?? loaded.topic;
  const topicText = topic ? t(`notifications.topic.${topic}`) : "";
  return (
    <section className="auth-page">
      <h1>{t("unsubscribe.title")}</h1>
      {!topic ? (
        <p role="alert">{t("unsubscribe.invalid")}</p>
      ) : result?.done ? (
        <p role="status">{t("unsubscribe.done", { topic: topicText })}</p>
      ) : (
        <PostForm>
          <p>{t("unsubscribe.confirm", { topic: topicText })}</p>
          <button type="submit">{t("unsubscribe.submit")}</button>
        </PostForm>
      )}
      <p>
        <Link to="/account/notifications" className="button secondary">
          {t("notifications.title")}
        </Link>
      </p>
    </section>
  );
}
