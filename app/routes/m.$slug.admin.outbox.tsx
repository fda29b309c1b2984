import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { Notice, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { formatDateTime, formatNumber, pickText, translator } from "../domain/i18n";
import { outboxCounts, outboxMessages, retryFailedMessages } from "../services/mail/outbox.server";
import { scopeOf, userActor } from "../services/scope";
import { readForm } from "../web/csrf.server";
import { requireStaff } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("implementation.outbox.title"));

/** Staff see the municipality's messages (ADR 0025): counts by status, the queue, failures with their reason. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireStaff(request, context, params.slug);
  const scope = scopeOf(municipality, userActor(user));
  const [counts, messages] = await Promise.all([outboxCounts(context.db, scope), outboxMessages(context.db, scope)]);
  return json({
    slug: municipality.slug,
    name: municipality.name,
    timeZone: municipality.timeZone,
    counts,
    messages: messages.map((m) => ({
      id: m.id,
      kind: m.kind,
      channel: m.channel,
      status: m.status,
      error: m.lastError,
      email: m.email,
      createdAt: m.createdAt.toISOString(),
    })),
  });
}

/** Staff queue the failed messages again. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const { municipality, user } = await requireStaff(request, context, params.slug);
  await readForm(request);
  const count = await retryFailedMessages(context.db, scopeOf(municipality, userActor(user)));
  return json({ notice: translator(requestLocale(request))("outbox.retried", { count }) });
}

export default function Outbox() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/admin`}>{pickText(data.name, locale)}</Link>
      </p>
      <h1>{t("implementation.outbox.title")}</h1>
      <p>{t("implementation.outbox.intro")}</p>
      <Notice text={result?.notice} />
      <dl className="outbox-counts">
        <dt>{t("outbox.queued")}</dt>
        <dd>{formatNumber(locale, data.counts.queued)}</dd>
        <dt>{t("outbox.sent")}</dt>
        <dd>{formatNumber(locale, data.counts.sent)}</dd>
        <dt>{t("outbox.failed")}</dt>
        <dd>{formatNumber(locale, data.counts.failed)}</dd>
      </dl>
      {data.counts.failed > 0 ? (
        <PostForm>
          <button type="submit">{t("outbox.retry")}</button>
        </PostForm>
      ) : null}
      {data.messages.length === 0 ? (
        <p>{t("implementation.outbox.empty")}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("implementation.outbox.to")}</th>
              <th scope="col">{t("implementation.outbox.kind")}</th>
              <th scope="col">{t("outbox.status")}</th>
              <th scope="col">{t("outbox.error")}</th>
              <th scope="col">{t("implementation.outbox.created")}</th>
            </tr>
          </thead>
          <tbody>
            {data.messages.map((m) => (
              <tr key={m.id}>
                <td dir="ltr">{m.email}</td>
                <td dir="ltr">
                  <code>{m.kind}</code>
                </td>
                <td>{t(`outbox.${m.status}`)}</td>
                <td dir="ltr">{m.error ?? ""}</td>
                <td>{formatDateTime(locale, new Date(m.createdAt), data.timeZone)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
