import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "../components/i18n";
import { formatDay, formatMoney, pickText } from "../domain/i18n";
import { commentCounts } from "../services/proposals/comments.server";
import { surveyQuestionsOf } from "../services/participation/surveys.server";
import { optionalUser, requireMunicipality } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { ownProposals, publicRound } from "../services/rounds/rounds.server";
import { pageTitle } from "../components/page-title";
import { observer, scopeOf, userActor } from "../services/scope";
import { districtsOf } from "../services/tenancy/municipality.server";
import { phaseLabel, proposalStatusLabel } from "../components/labels";
import { myStandingIn } from "../services/ballots/my-ballots.server";
import { MyStanding } from "../components/my-standing";
import { ProposalFilters } from "../components/proposal-filters";
import { ProposalList, SortField } from "../components/proposal-list";
import { roundProposalList } from "../services/proposals/supports.server";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (_t, locale) => [data && pickText(data.round.title, locale)]);

/** Public page of a round: phase timeline, envelopes and the proposals, with filters and search (GET, works without JS). */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const url = new URL(request.url);
  const filters = {
    envelope: url.searchParams.get("envelope") || null,
    district: url.searchParams.get("district") || null,
    status: url.searchParams.get("status") || null,
    q: url.searchParams.get("q")?.slice(0, 200) || null,
  };
  const found = await publicRound(context.db, scopeOf(municipality, observer), { slug: params.round ?? "", filters });
  if (!found) throw notFound("round");
  const current = await optionalUser(request, context);
  const scope = scopeOf(municipality, current ? userActor(current.user) : observer);
  const [districtRows, mine] = await Promise.all([
    districtsOf(context.db, scope),
    current ? ownProposals(context.db, scope, { roundId: found.round.id }) : [],
  ]);
  const districtName = new Map(districtRows.map((d) => [d.id, d.name]));
  const themeName = new Map(found.themes.map((th) => [th.id, th.name]));
  // The list (search, sort, pages; ADR 0036) is the URL's: ?q=&sort=&page= with the filters.
  const list = await roundProposalList(context.db, scope, {
    roundSlug: found.round.slug,
    query: { ...filters, sort: url.searchParams.get("sort"), page: Number(url.searchParams.get("page") ?? "1") || 1 },
  });
  const counts = await commentCounts(context.db, scope, {
    proposalIds: [...found.envelopes.flatMap((e) => e.proposals.map((p) => p.id)), ...list.items.map((p) => p.id)],
  });
  const surveyQuestions = await surveyQuestionsOf(context.db, scope, { roundId: found.round.id });
  // Where the visitor stands in a budgeting round that is voting: log in, verify, vote, or their ballots.
  const standing =
    found.round.kind === "budgeting" && found.currentPhase === "voting"
      ? current
        ? await myStandingIn(context.db, scope, { roundId: found.round.id })
        : { kind: "login" as const }
      : null;
  return json({
    pageStrings: await pageStringsFor(context, request, [
      "map.pageLink",
      "map.point",
      "myballot.standing",
      "supports.awaitingReview",
    ]),
    hasSurvey: surveyQuestions.length > 0,
    slug: municipality.slug,
    currency: municipality.currency,
    defaultLocale: municipality.defaultLocale,
    round: {
      slug: found.round.slug,
      title: found.round.title,
      description: found.round.description,
      kind: found.round.kind,
    },
    currentPhase: found.currentPhase,
    phases: found.phases.map((p) => ({ kind: p.kind, startsOn: p.startsOn, endsOn: p.endsOn })),
    filters: { ...filters, sort: list.sort },
    search: url.search,
    proposalCount: list.total,
    list: {
      ...list,
      items: list.items.map((p) => ({
        ...p,
        district: p.districtId ? (districtName.get(p.districtId) ?? null) : null,
        comments: counts.get(p.id) ?? 0,
      })),
    },
    districts: districtRows.map((d) => ({ id: d.id, name: d.name })),
    allEnvelopes: found.envelopes.map((e) => ({ slug: e.slug, name: e.name })),
    envelopes: found.envelopes
      .filter((e) => !filters.envelope || e.slug === filters.envelope)
      .map((e) => ({
        slug: e.slug,
        name: e.name,
        amount: e.amount,
        district: e.districtId ? (districtName.get(e.districtId) ?? null) : null,
        proposals: e.proposals.map((p) => ({
          id: p.id,
          title: p.title,
          cost: p.cost,
          status: p.status,
          district: p.districtId ? (districtName.get(p.districtId) ?? null) : null,
          theme: p.themeId ? (themeName.get(p.themeId) ?? null) : null,
          comments: counts.get(p.id) ?? 0,
        })),
      })),
    mine: mine.map((p) => ({ id: p.id, title: p.title, status: p.status })),
    loggedIn: current !== null,
    standing,
    // The map has a page of its own (ADR 0035): this page only links to it.
    hasMap: districtRows.some((d) => d.boundary !== null),
  });
}

/** A localized text, marked when shown in another language than the reader's. */
function Localized({ text }: { text: { en?: string; fa?: string } }) {
  const locale = useLocale();
  const t = useT();
  const shown = pickText(text, locale);
  if (text[locale]) return <>{shown}</>;
  const other = locale === "fa" ? "en" : "fa";
  return (
    <>
      <span lang={other}>{shown}</span> <span className="hint">{t("rounds.proposal.missingTranslation")}</span>
    </>
  );
}

export default function RoundPage() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const base = `/m/${data.slug}/rounds/${data.round.slug}`;
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}`}>{t("municipality.rounds")}</Link>
      </p>
      <h1>
        <Localized text={data.round.title} />
      </h1>
      <p>
        <Localized text={data.round.description} />
      </p>
      <p>
        {t("round.currentPhase")}:{" "}
        <strong>{data.currentPhase ? t(phaseLabel[data.currentPhase]) : t("round.noCurrentPhase")}</strong>
      </p>
      {data.standing ? <MyStanding standing={data.standing} base={base} slug={data.slug} /> : null}
      <h2>{t("round.phases")}</h2>
      <ol className="timeline">
        {data.phases.map((p) => (
          <li
            key={p.kind}
            aria-current={p.kind === data.currentPhase ? "step" : undefined}
            className={p.kind === data.currentPhase ? "current" : undefined}
          >
            <strong>{t(phaseLabel[p.kind])}</strong>:{" "}
            {t("phase.dates", { start: formatDay(locale, p.startsOn), end: formatDay(locale, p.endsOn) })}
          </li>
        ))}
      </ol>
      {data.round.kind === "budgeting" &&
      (data.currentPhase === "published" || data.currentPhase === "implementation") ? (
        <p>
          <Link to={`${base}/results`}>{t("rounds.results.link")}</Link> ·{" "}
          <Link to={`${base}/implementation`}>{t("implementation.board")}</Link>
        </p>
      ) : null}
      {data.hasSurvey ? (
        <p>
          <Link to={`${base}/survey`}>{t("survey.link")}</Link>
        </p>
      ) : null}
      {data.round.kind === "budgeting" &&
      data.currentPhase &&
      ["voting", "tallying", "published", "implementation"].includes(data.currentPhase) ? (
        <p>
          <Link to={`${base}/receipt`}>{t("rounds.receipt.title")}</Link>
        </p>
      ) : null}
      {data.round.kind === "budgeting" && data.currentPhase === "proposals" ? (
        <p>
          <Link
            className="button"
            to={data.loggedIn ? `${base}/propose` : `/login?next=${encodeURIComponent(`${base}/propose`)}`}
          >
            {t("rounds.proposal.submit")}
          </Link>
        </p>
      ) : null}
      {data.mine.length > 0 ? (
        <section aria-labelledby="mine">
          <h2 id="mine">{t("rounds.proposal.yours")}</h2>
          <ul>
            {data.mine.map((p) => (
              <li key={p.id}>
                <Link to={`${base}/proposals/${p.id}`}>{pickText(p.title, locale)}</Link> —{" "}
                <span className="status">{t(proposalStatusLabel[p.status])}</span>
                {p.status === "submitted" && data.currentPhase === "proposals" ? (
                  <>
                    {" "}
                    — <Link to={`${base}/proposals/${p.id}/edit`}>{t("rounds.edit")}</Link> ·{" "}
                    <Link to={`${base}/proposals/${p.id}/point`}>{t("map.point.link")}</Link>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {/* A consultation is a survey: no envelopes, proposal filters or counts (ADR 0029). */}
      {data.round.kind === "budgeting" ? (
        <>
          <h2>{t("round.envelopes")}</h2>
          <ProposalFilters filters={data.filters} envelopes={data.allEnvelopes} districts={data.districts}>
            <SortField value={data.filters.sort} />
          </ProposalFilters>
          <p role="status">{t("rounds.filter.results", { count: data.proposalCount })}</p>
          {data.hasMap ? (
            <p className="map-link">
              <Link
                to={`${base}/map?${new URLSearchParams(Object.entries(data.filters).filter((e): e is [string, string] => Boolean(e[1])))}`}
              >
                {t("map.pageLink")}
              </Link>
            </p>
          ) : null}
          {data.envelopes.map((e) => (
            <section key={e.slug} aria-labelledby={`envelope-${e.slug}`}>
              <h3 id={`envelope-${e.slug}`}>
                <Localized text={e.name} />
              </h3>
              {data.currentPhase === "voting" ? (
                <p>
                  {/* A visitor is sent to log in first and brought back to the ballot. */}
                  <Link
                    className="button"
                    to={
                      data.loggedIn
                        ? `${base}/vote/${e.slug}`
                        : `/login?next=${encodeURIComponent(`${base}/vote/${e.slug}`)}`
                    }
                  >
                    {t("vote.link")}: {pickText(e.name, locale)}
                  </Link>
                </p>
              ) : null}
              <p>
                {t("round.amount")}: <span className="num">{formatMoney(locale, e.amount, data.currency)}</span>
                {e.district ? <> — {pickText(e.district, locale)}</> : null}
              </p>
            </section>
          ))}
          <section aria-labelledby="proposal-list">
            <h2 id="proposal-list">{t("round.proposals")}</h2>
            <ProposalList list={data.list} base={base} currency={data.currency} search={data.search} />
          </section>
        </>
      ) : null}
    </>
  );
}
