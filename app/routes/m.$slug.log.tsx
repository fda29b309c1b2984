import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "../components/i18n";
import { SelectField } from "../components/rounds";
import { formatDateTime, pickText, translator } from "../domain/i18n";
import { listActions } from "../services/action-log/action-log.server";
import { actionLabel } from "../web/action-labels.server";
import { optionalUser, requireMunicipality } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { roundsOf } from "../services/rounds/rounds.server";
import { pageTitle } from "../components/page-title";
import { observer, scopeOf } from "../services/scope";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("actionLog.title"));

/** Public: anyone may read the council's chained action log (no login). */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const url = new URL(request.url);
  const roundSlug = url.searchParams.get("round") || null;
  const roundList = await roundsOf(context.db, scopeOf(municipality, observer));
  const round = roundSlug ? roundList.find((r) => r.slug === roundSlug) : null;
  const page = Number.parseInt(url.searchParams.get("page") ?? "1", 10);
  const log = await listActions(context.db, scopeOf(municipality, observer), {
    roundId: round?.id ?? (roundSlug ? "none" : null),
    action: url.searchParams.get("action") || null,
    page: Number.isFinite(page) ? page : 1,
  });
  // The actions' names in the page's language (as the root chooses it): the browser's strings leave them out.
  const current = await optionalUser(request, context);
  const t = translator(requestLocale(request, { userLocale: current?.user.locale }));
  const names = new Set([...log.actions, ...log.entries.map((e) => e.action)]);
  const actionNames = Object.fromEntries(
    [...names].filter((a) => Object.hasOwn(actionLabel, a)).map((a) => [a, t(actionLabel[a])]),
  );
  return json({
    pageStrings: await pageStringsFor(context, request, [
      "actionLog.title",
      "actionLog.intro",
      "actionLog.download",
      "actionLog.seq",
      "actionLog.at",
      "actionLog.actor",
      "actionLog.action",
      "actionLog.target",
      "actionLog.summary",
      "actionLog.hash",
      "actionLog.empty",
      "actionLog.filter",
      "actionLog.round",
      "actionLog.anyRound",
      "actionLog.anyAction",
      "actionLog.apply",
      "actionLog.page",
      "actionLog.previous",
      "actionLog.next",
      "actionLog.count",
    ]),
    slug: municipality.slug,
    name: municipality.name,
    actionNames,
    timeZone: municipality.timeZone,
    rounds: roundList.map((r) => ({ slug: r.slug, title: r.title })),
    filters: { round: roundSlug ?? "", action: url.searchParams.get("action") ?? "" },
    ...log,
  });
}

export default function ActionLogPage() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const actionName = (a: string) => (Object.hasOwn(data.actionNames, a) ? data.actionNames[a] : a);
  const query = (page: number) => {
    const q = new URLSearchParams();
    if (data.filters.round) q.set("round", data.filters.round);
    if (data.filters.action) q.set("action", data.filters.action);
    q.set("page", String(page));
    return `?${q}`;
  };
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}`}>{pickText(data.name, locale)}</Link>
      </p>
      <h1>{t("actionLog.title")}</h1>
      <p>{t("actionLog.intro")}</p>
      <p>
        <a href={`/m/${data.slug}/action-log.jsonl`} download>
          {t("actionLog.download")}
        </a>
      </p>
      <Form method="get" className="filters" aria-label={t("actionLog.filter")}>
        <SelectField
          name="round"
          label={t("actionLog.round")}
          defaultValue={data.filters.round}
          options={[
            { value: "", label: t("actionLog.anyRound") },
            ...data.rounds.map((r) => ({ value: r.slug, label: pickText(r.title, locale) })),
          ]}
        />
        <SelectField
          name="action"
          label={t("actionLog.action")}
          defaultValue={data.filters.action}
          options={[
            { value: "", label: t("actionLog.anyAction") },
            ...data.actions.map((a) => ({ value: a, label: actionName(a) })),
          ]}
        />
        <button type="submit">{t("actionLog.apply")}</button>
      </Form>
      <p role="status">{t("actionLog.count", { count: data.total })}</p>
      {data.entries.length === 0 ? (
        <p>{t("actionLog.empty")}</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t("actionLog.seq")}</th>
                <th scope="col">{t("actionLog.at")}</th>
                <th scope="col">{t("actionLog.actor")}</th>
                <th scope="col">{t("actionLog.action")}</th>
                <th scope="col">{t("actionLog.target")}</th>
                <th scope="col">{t("actionLog.summary")}</th>
                <th scope="col">{t("actionLog.hash")}</th>
              </tr>
            </thead>
            <tbody>
              {data.entries.map((e) => (
                <tr key={e.seq}>
                  <td className="num">{e.seq}</td>
                  <td>{formatDateTime(locale, new Date(e.at), data.timeZone)}</td>
                  <td>{e.actor}</td>
                  <td>{actionName(e.action)}</td>
                  <td dir="ltr">
                    <code>{e.target}</code>
                  </td>
                  <td dir="ltr">
                    <details>
                      <summary>JSON</summary>
                      <pre className="json">{JSON.stringify(e.summary, null, 1)}</pre>
                    </details>
                  </td>
                  <td dir="ltr">
                    <code title={e.hash}>{e.hash.slice(0, 12)}…</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav aria-label={t("actionLog.page", { page: data.page, pages: data.pages })}>
        <p>
          {t("actionLog.page", { page: data.page, pages: data.pages })}{" "}
          {data.page > 1 ? <Link to={query(data.page - 1)}>{t("actionLog.previous")}</Link> : null}{" "}
          {data.page < data.pages ? <Link to={query(data.page + 1)}>{t("actionLog.next")}</Link> : null}
        </p>
      </nav>
    </>
  );
}
