/** The round's proposal filters, a GET form (no JavaScript needed): the round page and its map page. */
import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
import { type LocalizedText, pickText } from "../domain/i18n";
import { PUBLIC_PROPOSAL_STATUSES } from "../domain/rounds/statuses";
import { Field } from "./forms";
import { useLocale, useT } from "./i18n";
import { proposalStatusLabel } from "./labels";
import { SelectField } from "./rounds";

export function ProposalFilters({
  filters,
  envelopes,
  districts,
  children,
}: {
  filters: { envelope?: string | null; district?: string | null; status?: string | null; q?: string | null };
  envelopes: { slug: string; name: LocalizedText }[];
  districts: { id: string; name: LocalizedText }[];
  /** More fields before the button (the round page's sort). */
  children?: ReactNode;
}) {
  const t = useT();
  const locale = useLocale();
  const any = { value: "", label: t("rounds.filter.any") };
  return (
    <Form method="get" className="filters" role="search" aria-label={t("rounds.filter.title")}>
      <SelectField
        name="envelope"
        label={t("rounds.filter.envelope")}
        defaultValue={filters.envelope ?? ""}
        options={[any, ...envelopes.map((e) => ({ value: e.slug, label: pickText(e.name, locale) }))]}
      />
      <SelectField
        name="district"
        label={t("rounds.filter.district")}
        defaultValue={filters.district ?? ""}
        options={[any, ...districts.map((d) => ({ value: d.id, label: pickText(d.name, locale) }))]}
      />
      <SelectField
        name="status"
        label={t("rounds.filter.status")}
        defaultValue={filters.status ?? ""}
        options={[any, ...PUBLIC_PROPOSAL_STATUSES.map((s) => ({ value: s, label: t(proposalStatusLabel[s]) }))]}
      />
      <Field name="q" type="search" label={t("rounds.filter.search")} defaultValue={filters.q ?? ""} />
      {children}
      <button type="submit">{t("rounds.filter.apply")}</button>
    </Form>
  );
}
