import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Suspense, lazy, useEffect, useState } from "react";
import { useLocale, useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { ProposalFilters } from "../components/proposal-filters";
import { ProposalMap } from "../components/proposal-map";
import { pickText } from "../domain/i18n";
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
  if (found?.round.kind !== "budgeting") throw notFound("round");
  const districtRows = await districtsOf(context.db, scope);
  const map = await roundMapView(context.db, scope, { envelopes: found.envelopes, districts: districtRows });
  return json({
    pageStrings: await pageStringsFor(context, request, [
      "map.title",
      "map.svgTitle",
      "map.svgDesc",
      "map.listTitle",
      "map.noneOnMap",
      "map.unplaced",
      "map.noMap",
      // The street map's strings only where there is one (ADR 0035).
      ...(map?.street ? (["map.street"] as const) : []),
    ]),
    slug: municipality.slug,
    round: { slug: found.round.slug, title: found.round.title },
    filters,
    proposalCount: found.proposalCount,
    districts: districtRows.map((d) => ({ id: d.id, name: d.name })),
    envelopes: found.envelopes.map((e) => ({ slug: e.slug, name: e.name })),
    map,
  });
}

/**
 * The street map's module (Leaflet and its stylesheet): fetched only when this page has a tile server
 * and only in the browser, after hydration (ADR 0035); if it cannot be fetched, the drawing stays.
 */
const StreetMap = lazy(() => import("../components/street-map.client").catch(() => ({ default: () => null })));

function StreetMapAfterHydration(props: React.ComponentProps<typeof StreetMap>) {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated ? (
    <Suspense fallback={null}>
      <StreetMap {...props} />
    </Suspense>
  ) : null;
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
      <ProposalFilters filters={data.filters} envelopes={data.envelopes} districts={data.districts} />
      <p role="status">{t("rounds.filter.results", { count: data.proposalCount })}</p>
      {data.map ? (
        <ProposalMap
          drawing={data.map.drawing}
          districts={data.map.districts}
          entries={data.map.entries}
          base={base}
          streetMap={
            data.map.street ? (
              <StreetMapAfterHydration street={data.map.street} entries={data.map.entries} base={base} />
            ) : null
          }
        />
      ) : (
        <p>{t("map.noMap")}</p>
      )}
    </>
  );
}
