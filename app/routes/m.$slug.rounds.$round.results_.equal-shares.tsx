import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { EqualSharesSteps } from "../components/equal-shares-steps";
import { useLocale, useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { TableScroll } from "../components/TableScroll";
import { formatMoney, formatNumber, pickText } from "../domain/i18n";
import { observer, scopeOf } from "../services/scope";
import { equalSharesWalkthrough } from "../services/tally/walkthrough.server";
import { walkthroughWords } from "../web/equal-shares-words.server";
import { optionalUser, requireMunicipality } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { requestLocale } from "../web/locale.server";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t, locale) => [t("es.title"), data && pickText(data.page.round.title, locale)]);

/**
 * Public: the Equal Shares count of a published round replayed step by step from its bundle
 * (ADR 0032), with the sentences written on the server in the visitor's language.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const page = await equalSharesWalkthrough(context.db, scopeOf(municipality, observer), {
    roundSlug: params.round ?? "",
  });
  if (!page) throw notFound("published round");
  const current = await optionalUser(request, context);
  const locale = requestLocale(request, { userLocale: current?.user.locale });
  return json({
    pageStrings: await pageStringsFor(context, request, ["es."]),
    page,
    words: walkthroughWords(page, locale),
  });
}

export default function EqualSharesWalkthrough() {
  const t = useT();
  const locale = useLocale();
  const { page, words } = useLoaderData<typeof loader>();
  const base = `/m/${page.slug}/rounds/${page.round.slug}`;
  const money = (n: number) => formatMoney(locale, n, page.currency);
  const name = (id: string) => pickText(page.titles[id], locale) || id;
  const className = (weight: number) =>
    page.classes
      .filter((c) => c.weight === weight)
      .map((c) => pickText(c.name, locale))
      .join(", ");
  return (
    <>
      <p>
        <Link to={`${base}/results`}>{t("es.back")}</Link>
      </p>
      <h1>
        {t("es.title")} — {pickText(page.round.title, locale)}
      </h1>
      <p>{t("es.intro")}</p>
      {page.envelopes.length === 0 ? <p>{t("es.none")}</p> : null}
      {page.envelopes.map((e) => {
        const w = e.walk;
        const text = words[e.slug];
        const fundedAt = new Map(w.steps.map((s) => [s.project, s.step]));
        const greedy = new Set(w.greedy);
        const all = [...w.steps.map((s) => s.project), ...w.unfunded.map((u) => u.project)];
        const groupLabel = (id: number) => `${t("es.group")} ${formatNumber(locale, id)}`;
        return (
          <section key={e.slug} aria-labelledby={`es-${e.slug}`} className="es-envelope" data-envelope={e.slug}>
            <h2 id={`es-${e.slug}`}>{pickText(e.name, locale)}</h2>
            {w.consistent ? null : (
              <p className="notice notice-error" role="alert">
                {t("es.mismatch")}
              </p>
            )}

            <h3 id={`es-shares-${e.slug}`}>{t("es.sharesTitle")}</h3>
            <p data-testid="es-shares">{text.shares}</p>
            <TableScroll>
              <table aria-labelledby={`es-shares-${e.slug}`}>
                <thead>
                  <tr>
                    <th scope="col">{t("es.weight")}</th>
                    <th scope="col">{t("es.class")}</th>
                    <th scope="col">{t("es.ballots")}</th>
                    <th scope="col">{t("es.shareOf")}</th>
                  </tr>
                </thead>
                <tbody>
                  {w.weights.map((x) => (
                    <tr key={x.weight}>
                      <th scope="row" className="num">
                        {formatNumber(locale, x.weight)}
                      </th>
                      <td>{className(x.weight) || "—"}</td>
                      <td className="num">{formatNumber(locale, x.ballots)}</td>
                      <td className="num">{money(x.weight * w.share)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>

            <h3 id={`es-steps-${e.slug}`}>{t("es.stepsTitle")}</h3>
            <ol className="es-step-words" data-testid="es-step-words">
              {text.steps.map((s, i) => (
                <li key={w.steps[i].step}>{s}</li>
              ))}
            </ol>
            <TableScroll>
              <table aria-labelledby={`es-steps-${e.slug}`} data-testid="es-steps">
                <thead>
                  <tr>
                    <th scope="col">{t("es.step")}</th>
                    <th scope="col">{t("es.proposal")}</th>
                    <th scope="col">{t("es.cost")}</th>
                    <th scope="col">{t("es.paidBy")}</th>
                    <th scope="col">{t("es.leftShares")}</th>
                    <th scope="col">{t("es.leftBudget")}</th>
                  </tr>
                </thead>
                <tbody>
                  {w.steps.map((s) => (
                    <tr key={s.step} data-project={s.project}>
                      <td className="num">{formatNumber(locale, s.step)}</td>
                      <th scope="row">{name(s.project)}</th>
                      <td className="num">{money(s.cost)}</td>
                      <td>
                        {s.phase === "mes"
                          ? t("es.byShares", { payers: formatNumber(locale, s.payers) })
                          : t("es.byBudget")}
                      </td>
                      <td className="num">{money(s.leftInShares)}</td>
                      <td className="num">{money(s.leftInBudget)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>

            <h3 id={`es-groups-${e.slug}`}>{t("es.groupsTitle")}</h3>
            <p>{t("es.groupsIntro")}</p>
            <TableScroll>
              <table aria-labelledby={`es-groups-${e.slug}`} data-testid="es-groups">
                <thead>
                  <tr>
                    <th scope="col">{t("es.group")}</th>
                    <th scope="col">{t("es.chose")}</th>
                    <th scope="col">{t("es.ballots")}</th>
                    <th scope="col">{t("es.weight")}</th>
                    {w.steps.map((s) => (
                      <th scope="col" key={s.step}>
                        {t("es.stepCol", { step: formatNumber(locale, s.step) })}
                      </th>
                    ))}
                    <th scope="col">{t("es.left")}</th>
                  </tr>
                </thead>
                <tbody>
                  {w.groups.map((g, k) => (
                    <tr key={g.id}>
                      <th scope="row">{groupLabel(g.id)}</th>
                      <td>
                        {g.projects.length ? g.projects.map(name).join(locale === "fa" ? "، " : ", ") : t("es.nothing")}
                      </td>
                      <td className="num">{formatNumber(locale, g.ballots)}</td>
                      <td className="num">{formatNumber(locale, g.weight)}</td>
                      {w.steps.map((s) => {
                        const paid = s.payments.find((p) => p.group === g.id);
                        return (
                          <td className="num" key={s.step}>
                            {paid ? money(paid.each) : "—"}
                          </td>
                        );
                      })}
                      <td className="num">{money(w.leftPerShare.at(-1)?.[k] ?? w.share)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>

            <EqualSharesSteps
              id={e.slug}
              groups={w.groups.map((g) => ({ id: g.id, label: groupLabel(g.id) }))}
              steps={w.steps.map((s) => name(s.project))}
              leftPerShare={w.leftPerShare}
              share={w.share}
              money={money}
            />

            <h3 id={`es-why-${e.slug}`}>{t("es.whyTitle")}</h3>
            <ul className="reason-list" aria-labelledby={`es-why-${e.slug}`} data-testid="es-why">
              {text.unfunded.map((u) => (
                <li key={u.id} className="reason" data-project={u.id}>
                  {u.text}
                </li>
              ))}
            </ul>

            <h3 id={`es-compare-${e.slug}`}>{t("es.compareTitle")}</h3>
            <p>{text.greedy}</p>
            <TableScroll>
              <table aria-labelledby={`es-compare-${e.slug}`} data-testid="es-compare">
                <thead>
                  <tr>
                    <th scope="col">{t("es.proposal")}</th>
                    <th scope="col">{t("es.equalShares")}</th>
                    <th scope="col">{t("es.greedy")}</th>
                  </tr>
                </thead>
                <tbody>
                  {all.map((id) => (
                    <tr key={id}>
                      <th scope="row">{name(id)}</th>
                      <td>
                        {fundedAt.has(id)
                          ? `${t("es.funded")} (${t("es.stepCol", { step: formatNumber(locale, fundedAt.get(id) ?? 0) })})`
                          : t("es.notFunded")}
                      </td>
                      <td>{greedy.has(id) ? t("es.funded") : t("es.notFunded")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          </section>
        );
      })}
    </>
  );
}
