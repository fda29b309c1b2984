import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireMunicipality } from "../web/guards.server";
import { observer, scopeOf } from "../services/scope";
import { openDataIndex } from "../services/tally/open-data.server";

/** Public JSON API: the municipality's rounds with links to their bundles and results. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const body = await openDataIndex(context.db, scopeOf(municipality, observer), {
    origin: new URL(request.url).origin,
  });
  return new Response(JSON.stringify(body, null, 2), {
    headers: { "Content-Type": "application/json; charset=utf-8", "Access-Control-Allow-Origin": "*" },
  });
}
