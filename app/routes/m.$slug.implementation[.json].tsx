import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireMunicipality } from "../web/guards.server";
import { implementationOpenData } from "../services/implementation/implementation.server";
import { observer, scopeOf } from "../services/scope";

/** Open data: implementation status of every funded proposal, as JSON. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const rows = await implementationOpenData(context.db, scopeOf(municipality, observer));
  return new Response(JSON.stringify({ municipality: municipality.slug, funded_proposals: rows }, null, 2), {
    headers: { "Content-Type": "application/json; charset=utf-8", "Access-Control-Allow-Origin": "*" },
  });
}
