import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { Field } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { proposalStatusLabel } from "../components/labels";
import { pageTitle } from "../components/page-title";
import { ProposalMap } from "../components/proposal-map";
import { SelectField } from "../components/rounds";
import { pickText } from "../domain/i18n";
import { PUBLIC_PROPOSAL_STATUSES } from "../domain/rounds/statuses";
import { publicRound } from "../services/rounds/rounds.server";
import { observer, scopeOf } from "../services/scope";
import { districtsOf } from "../services/tenancy/municipality.server";
import { requireMunicipality } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { roundMapView } from "../web/round-map.server";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t, locale) => [t("map.title"), data && pickText(data.round.title, locale)]);

/** A round's proposals on a map, filtered with the round page's GET parameters (ADR 0035). */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const url = new URL(request.url);
  const filters = {
    envelope: url.searchParams.get("envelope") || null,
    district: url.searchParams.get("district") || null,
    status: url.searchParams.get("status") || null,
    q: url.searchParams.get("q")?.slice(0, 200) || null,
  };
  const scope = scopeOf(municipality, observer);
  const found = await publicRound(context.db, scope, { slug: params.round ?? "", filters });
  if (!found || found.round.kind !== "budgeting") throw notFound("round");
  const districtRows = await districtsOf(context.db, scope);
  return json({
    pageStrings: await pageStringsFor(context, request, [
      "map.title",
      "map.svgTitle",
      "map.svgDesc",
      "map.listTitle",
      "map.noneOnMap",
      "map.unplaced",
      "map.noMap",
    ]),
    slug: municipality.slug,
    round: { slug: found.round.slug, title: found.round.title },
    filters,
    proposalCount: found.proposalCount,
    districts: districtRows.map((d) => ({ id: d.id, name: d.name })),
    envelopes: found.envelopes.map((e) => ({ slug: e.slug, name: e.name })),
    map: await roundMapView(context.db, scope, { envelopes: found.envelopes, districts: districtRows }),
  });
}

export default function RoundMapPage() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const base = `/m/${data.slug}/rounds/${data.round.slug}`;
  return (
    <>
      <p>
        <Link to={base}>{pickText(data.round.title, locale)}</Link>
      </p>
      <h1>
        {t("map.title")}: {pickText(data.round.title, locale)}
      </h1>
      <Form method="get" className="filters" role="search" aria-label={t("rounds.filter.title")}>
        <SelectField
          name="envelope"
          label={t("rounds.filter.envelope")}
          defaultValue={data.filters.envelope ?? ""}
          options={[
            { value: "", label: t("rounds.filter.any") },
            ...data.envelopes.map((e) => ({ value: e.slug, label: pickText(e.name, locale) })),
          ]}
        />
        <SelectField
          name="district"
          label={t("rounds.filter.district")}
          defaultValue={data.filters.district ?? ""}
          options={[
            { value: "", label: t("rounds.filter.any") },
            ...data.districts.map((d) => ({ value: d.id, label: pickText(d.name, locale) })),
          ]}
        />
        <SelectField
          name="status"
          label={t("rounds.filter.status")}
          defaultValue={data.filters.status ?? ""}
          options={[
            { value: "", label: t("rounds.filter.any") },
            ...PUBLIC_PROPOSAL_STATUSES.map((s) => ({ value: s, label: t(proposalStatusLabel[s]) })),
          ]}
        />
        <Field name="q" type="search" label={t("rounds.filter.search")} defaultValue={data.filters.q ?? ""} />
        <button type="submit">{t("rounds.filter.apply")}</button>
      </Form>
      <p role="status">{t("rounds.filter.results", { count: data.proposalCount })}</p>
      {data.map ? <ProposalMap {...data.map} base={base} /> : <p>{t("map.noMap")}</p>}
    </>
  );
}
