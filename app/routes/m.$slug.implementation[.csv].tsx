import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireMunicipality } from "../web/guards.server";
import { implementationOpenData } from "../services/implementation/implementation.server";
import { implementationCsv } from "../domain/implementation/implementation";
import { observer, scopeOf } from "../services/scope";

/** Open data: implementation status of every funded proposal, as CSV for spreadsheets. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const rows = await implementationOpenData(context.db, scopeOf(municipality, observer));
  return new Response(`\uFEFF${implementationCsv(rows)}`, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${municipality.slug}-implementation.csv"`,
    },
  });
}
