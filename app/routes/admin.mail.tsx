import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { direction, formatDateTime, isLocale } from "../domain/i18n";
import { renderedMessages } from "../services/mail/delivery.server";
import { userActor } from "../services/scope";
import { requirePlatformAdmin } from "../web/guards.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("mailViewer.title"));

/** The platform administrator's mail viewer (ADR 0025): every message as its recipient reads it. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePlatformAdmin(request, context);
  const messages = await renderedMessages(context.db, { actor: userActor(user) });
  return json(
    {
      messages: messages.map((m) => ({ ...m, createdAt: m.createdAt.toISOString() })),
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

export default function MailViewer() {
  const t = useT();
  const locale = useLocale();
  const { messages } = useLoaderData<typeof loader>();
  return (
    <>
      <p>
        <Link to="/admin">{t("nav.admin")}</Link>
      </p>
      <h1>{t("mailViewer.title")}</h1>
      <p>{t("mailViewer.intro")}</p>
      {messages.length === 0 ? <p>{t("mailViewer.empty")}</p> : null}
      {messages.map((m) => (
        <article
          key={m.id}
          className="mail-viewer-message"
          lang={m.locale}
          dir={direction(isLocale(m.locale) ? m.locale : "en")}
        >
          <h2>{m.subject}</h2>
          <p>
            {t("mailViewer.to")}: <bdi dir="ltr">{m.to}</bdi> · {t(`outbox.${m.status}`)} ·{" "}
            {formatDateTime(locale, new Date(m.createdAt), "UTC")}
          </p>
          {m.lastError ? (
            <p>
              {t("outbox.error")}: <bdi dir="ltr">{m.lastError}</bdi>
            </p>
          ) : null}
          <pre>{m.text}</pre>
          {m.link ? (
            <p>
              <a href={m.link} dir="ltr">
                {m.link}
              </a>
            </p>
          ) : null}
        </article>
      ))}
    </>
  );
}
