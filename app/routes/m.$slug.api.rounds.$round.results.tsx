import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireMunicipality } from "../web/guards.server";
import { observer, scopeOf } from "../services/scope";
import { notFound } from "../web/http.server";
import { roundResultsData } from "../services/tally/open-data.server";

/** Public JSON API: the results of a published round (404 before publication). */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const body = await roundResultsData(context.db, scopeOf(municipality, observer), { roundSlug: params.round ?? "" });
  if (!body) throw notFound("published results");
  return new Response(JSON.stringify(body, null, 2), {
    headers: { "Content-Type": "application/json; charset=utf-8", "Access-Control-Allow-Origin": "*" },
  });
}
