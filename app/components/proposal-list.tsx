/** The round's searchable, sortable and paged list of proposals (ADR 0036), without JavaScript too. */
import { Link } from "@remix-run/react";
import { type LocalizedText, formatMoney, formatNumber, pickText } from "../domain/i18n";
import { PROPOSAL_SORTS } from "../domain/proposals/supports";
import { useLocale, useT } from "./i18n";
import { proposalStatusLabel } from "./labels";
import { SelectField } from "./rounds";
import { TableScroll } from "./TableScroll";

type Status = keyof typeof proposalStatusLabel;

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
