import type { LoaderFunctionArgs } from "@remix-run/node";
import { figuresCsv } from "../domain/reports/figures";
import { reportFigures } from "../services/reports/reports.server";
import { observer, scopeOf } from "../services/scope";
import { requireMunicipality } from "../web/guards.server";

/** Open data: the response-time figures as CSV, one row per category and month. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const months = new URL(request.url).searchParams.get("months") === "persian" ? "persian" : "gregorian";
  const { figures } = await reportFigures(context.db, scopeOf(municipality, observer), { months });
  return new Response(`\uFEFF${figuresCsv(figures)}`, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${municipality.slug}-report-figures.csv"`,
    },
  });
}
