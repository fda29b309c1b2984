import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "../components/i18n";
import { formatDateTime, pickText } from "../domain/i18n";
import { requireStaff } from "../web/guards.server";
import { pendingOutbox } from "../services/implementation/implementation.server";
import { pageTitle } from "../components/page-title";
import { scopeOf, userActor } from "../services/scope";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("implementation.outbox.title"));

/** Staff see the messages waiting for a mail integration. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireStaff(request, context, params.slug);
  const messages = await pendingOutbox(context.db, scopeOf(municipality, userActor(user)));
  return json({
    slug: municipality.slug,
    name: municipality.name,
    timeZone: municipality.timeZone,
    messages: messages.map((m) => ({
      id: m.id,
      kind: m.kind,
      email: m.email,
      createdAt: m.createdAt.toISOString(),
      payload: m.payload,
    })),
  });
}

export default function Outbox() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/admin`}>{pickText(data.name, locale)}</Link>
      </p>
      <h1>{t("implementation.outbox.title")}</h1>
      <p>{t("implementation.outbox.intro")}</p>
      {data.messages.length === 0 ? (
        <p>{t("implementation.outbox.empty")}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("implementation.outbox.to")}</th>
              <th scope="col">{t("implementation.outbox.kind")}</th>
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
                <td>{formatDateTime(locale, new Date(m.createdAt), data.timeZone)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
