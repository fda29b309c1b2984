import type { LoaderFunctionArgs } from "@remix-run/node";
import { isLocale } from "../domain/i18n";
import { requireMunicipality } from "../web/guards.server";
import { observer, scopeOf } from "../services/scope";
import { deny, notFound } from "../web/http.server";
import { requestLocale } from "../web/locale.server";
import { CHART_KINDS, type ChartKind, chartPng, resultsChart } from "../services/tally/results-charts.server";

/**
 * Public: a results chart as a PNG for reports — /chart.png?chart=support|spending|compare|turnout
 * &envelope=<slug>&lang=en|fa. The same numbers as the tables on the results page.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const url = new URL(request.url);
  const kind = url.searchParams.get("chart") ?? "";
  if (!(CHART_KINDS as readonly string[]).includes(kind))
    throw deny(400, "bad_request", `chart must be one of ${CHART_KINDS.join(", ")}`);
  const lang = url.searchParams.get("lang");
  const locale = isLocale(lang) ? lang : requestLocale(request);
  const spec = await resultsChart(context.db, scopeOf(municipality, observer), {
    roundSlug: params.round ?? "",
    kind: kind as ChartKind,
    envelope: url.searchParams.get("envelope"),
    locale,
  });
  if (!spec) throw notFound("chart");
  const png = await chartPng(spec, locale === "fa");
  return new Response(new Uint8Array(png) as unknown as BodyInit, {
    headers: {
      "Content-Type": "image/png",
      "Content-Disposition": `inline; filename="${params.round}-${kind}.png"`,
      "Cache-Control": "public, max-age=300",
    },
  });
}
