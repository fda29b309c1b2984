import type { LoaderFunctionArgs } from "@remix-run/node";
import { open311Request } from "../services/reports/open311.server";
import { observer, scopeOf } from "../services/scope";
import { requireMunicipality } from "../web/guards.server";
import { jsonResource, open311Error, open311Json, open311Locale } from "../web/open311.server";

/** Open311 GET a service request (`requests/<id>.json`): a list of one. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const id = jsonResource(params.id);
  if (id === null || !/^[1-9]\d{0,8}$/.test(id)) return open311Error(404, "service_request_id was not found");
  const found = await open311Request(context.db, scopeOf(municipality, observer), {
    number: Number(id),
    locale: open311Locale(new URL(request.url)),
  });
  return found ? open311Json([found]) : open311Error(404, `service_request_id ${id} was not found`);
}
