/**
 * Supports on a proposal's page, the round's searchable, sortable and paged list, and the similar
 * proposals shown while writing one (ADR 0036). Every part works without JavaScript.
 */
import { Link, useFetcher } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { type LocalizedText, formatMoney, formatNumber, pickText } from "../domain/i18n";
import { PROPOSAL_SORTS } from "../domain/proposals/supports";
import { PostForm } from "./forms";
import { useLocale, useT } from "./i18n";
import { proposalStatusLabel } from "./labels";
import { SelectField } from "./rounds";
import { TableScroll } from "./TableScroll";

type Status = keyof typeof proposalStatusLabel;

export interface SupportView {
  shown: boolean;
  open: boolean;
  supports: number;
  threshold: number | null;
  reached: boolean;
  mine: boolean;
  eligible: boolean;
  mergedInto: { id: string; title: LocalizedText } | null;
}

/** "Merged into …" with a link to the kept proposal. */
export function MergedNotice({ base, supports }: { base: string; supports: SupportView }) {
  const t = useT();
  const locale = useLocale();
  if (!supports.mergedInto) return null;
  return (
    <p className="notice merged-into">
      {t("supports.mergedInto")}{" "}
      <Link to={`${base}/proposals/${supports.mergedInto.id}`}>{pickText(supports.mergedInto.title, locale)}</Link>
    </p>
  );
}

/** The count, the threshold and the visitor's support button (never who else supports). */
export function SupportBox({
  supports,
  loggedIn,
  verifyUrl,
  loginUrl,
  outcome,
}: {
  supports: SupportView;
  loggedIn: boolean;
  verifyUrl: string;
  loginUrl: string;
  outcome?: { supportNotice?: string; supportError?: string };
}) {
  const t = useT();
  const locale = useLocale();
  if (!supports.shown || supports.mergedInto) return null;
  return (
    <section className="supports panel" aria-labelledby="supports">
      <h2 id="supports">{t("supports.title")}</h2>
      <p className="support-count">{t("supports.count", { count: supports.supports })}</p>
      {supports.threshold !== null ? (
        <p>
          {supports.reached
            ? t("supports.reached")
            : t("supports.threshold", { threshold: formatNumber(locale, supports.threshold) })}
        </p>
      ) : null}
      {outcome?.supportNotice ? (
        <p className="notice" role="status">
          {outcome.supportNotice}
        </p>
      ) : null}
      {outcome?.supportError ? (
        <p className="notice warning" role="alert">
          {outcome.supportError}
        </p>
      ) : null}
      {supports.mine ? <p>{t("supports.yours")}</p> : null}
      {!supports.open ? (
        <p className="hint">{t("supports.closed")}</p>
      ) : !loggedIn ? (
        <p>
          <Link to={loginUrl}>{t("supports.login")}</Link>
        </p>
      ) : supports.mine ? (
        <PostForm>
          <input type="hidden" name="intent" value="unsupport" />
          <button type="submit" className="secondary">
            {t("supports.withdraw")}
          </button>
        </PostForm>
      ) : supports.eligible ? (
        <PostForm>
          <input type="hidden" name="intent" value="support" />
          <button type="submit">{t("supports.support")}</button>
        </PostForm>
      ) : (
        <p>
          {t("supports.verifyFirst")} <Link to={verifyUrl}>{t("supports.verifyLink")}</Link>
        </p>
      )}
    </section>
  );
}

/** The sort choice, placed inside the round page's GET filter form. */
export function SortField({ value }: { value: string }) {
  const t = useT();
  return (
    <SelectField
      name="sort"
      label={t("list.sort")}
      defaultValue={value}
      options={PROPOSAL_SORTS.map((s) => ({ value: s, label: t(`list.sort.${s}`) }))}
    />
  );
}

export interface ListView {
  total: number;
  page: number;
  pages: number;
  supportsShown: boolean;
  items: {
    id: string;
    title: LocalizedText;
    cost: number;
    status: Status;
    envelope: { slug: string; name: LocalizedText };
    supports: number;
    district: LocalizedText | null;
    comments: number;
  }[];
}

/** One page of the round's proposals, and links to the other pages that keep the search and sort. */
export function ProposalList({
  list,
  base,
  currency,
  search,
}: {
  list: ListView;
  base: string;
  currency: string;
  /** The page's query string (search, filters, sort), kept by the page links. */
  search: string;
}) {
  const t = useT();
  const locale = useLocale();
  const pageUrl = (page: number) => {
    const params = new URLSearchParams(search);
    if (page > 1) params.set("page", String(page));
    else params.delete("page");
    const query = params.toString();
    return query ? `?${query}` : "?";
  };
  if (list.items.length === 0) return <p>{t("round.noProposals")}</p>;
  return (
    <>
      <TableScroll>
        <table className="proposal-list">
          <thead>
            <tr>
              <th scope="col">{t("round.proposals")}</th>
              <th scope="col">{t("list.envelope")}</th>
              <th scope="col">{t("round.cost")}</th>
              <th scope="col">{t("rounds.proposal.status")}</th>
              {list.supportsShown ? <th scope="col">{t("list.supports")}</th> : null}
              <th scope="col">{t("comments.column")}</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((p) => (
              <tr key={p.id}>
                <td>
                  <Link to={`${base}/proposals/${p.id}`}>{pickText(p.title, locale)}</Link>
                  {p.district ? <span className="hint"> — {pickText(p.district, locale)}</span> : null}
                </td>
                <td>{pickText(p.envelope.name, locale)}</td>
                <td className="num">{formatMoney(locale, p.cost, currency)}</td>
                <td>{p.status === "submitted" ? t("supports.awaitingReview") : t(proposalStatusLabel[p.status])}</td>
                {list.supportsShown ? <td className="num">{formatNumber(locale, p.supports)}</td> : null}
                <td className="num">
                  <Link
                    to={`${base}/proposals/${p.id}#comments`}
                    aria-label={t("comments.count", { count: p.comments })}
                  >
                    {formatNumber(locale, p.comments)}
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {list.pages > 1 ? (
        <nav className="pager" aria-label={t("list.pages")}>
          {list.page > 1 ? (
            <Link to={pageUrl(list.page - 1)} rel="prev">
              {t("list.previous")}
            </Link>
          ) : null}{" "}
          <span aria-current="page">
            {t("list.page", { page: formatNumber(locale, list.page), pages: formatNumber(locale, list.pages) })}
          </span>{" "}
          {list.page < list.pages ? (
            <Link to={pageUrl(list.page + 1)} rel="next">
              {t("list.next")}
            </Link>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}

export interface SimilarView {
  id: string;
  title: LocalizedText;
  supportable: boolean;
}

/** The similar proposals of a draft: each with a link and, where supports are open, a support button. */
export function SimilarList({ items, base }: { items: SimilarView[]; base: string }) {
  const t = useT();
  const locale = useLocale();
  if (items.length === 0) return <p className="hint">{t("similar.none")}</p>;
  return (
    <>
      <p>{t("similar.intro")}</p>
      <ul className="similar-list">
        {items.map((p) => (
          <li key={p.id} className="similar-item">
            <Link to={`${base}/proposals/${p.id}`}>{pickText(p.title, locale)}</Link>
            {p.supportable ? (
              <PostForm action={`${base}/proposals/${p.id}`} className="inline-form">
                <input type="hidden" name="intent" value="support" />
                <button type="submit" className="secondary">
                  {t("similar.support")}
                </button>
              </PostForm>
            ) : null}
          </li>
        ))}
      </ul>
    </>
  );
}

/**
 * While the resident types a title or text, asks the page's loader for similar proposals (after a
 * pause of 400 ms) and shows them; without JavaScript the "check" button posts the form instead.
 */
export function useSimilarWhileTyping(formId: string) {
  const fetcher = useFetcher<{ similar?: SimilarView[] }>();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const last = useRef("");
  const load = fetcher.load;
  useEffect(() => {
    const form = document.getElementById(formId);
    if (!(form instanceof HTMLFormElement)) return;
    const onInput = (event: Event) => {
      const name = (event.target as HTMLInputElement | null)?.name ?? "";
      if (!/^(title|body)(En|Fa)$/.test(name)) return;
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => {
        const data = new FormData(form);
        const title = `${data.get("titleEn") ?? ""} ${data.get("titleFa") ?? ""}`.trim();
        const body = `${data.get("bodyEn") ?? ""} ${data.get("bodyFa") ?? ""}`.trim().slice(0, 1000);
        const key = `${title}\n${body}`;
        if (key === last.current || title.length < 3) return;
        last.current = key;
        load(`?${new URLSearchParams({ similarTitle: title, similarBody: body })}`);
      }, 400);
    };
    form.addEventListener("input", onInput);
    return () => {
      form.removeEventListener("input", onInput);
      if (timer.current) clearTimeout(timer.current);
    };
  }, [formId, load]);
  return fetcher.data?.similar ?? null;
}
