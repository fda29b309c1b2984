import type { LoaderFunctionArgs } from "@remix-run/node";
import { open311Request } from "../services/reports/open311.server";
import { observer, scopeOf } from "../services/scope";
import { requireMunicipality } from "../web/guards.server";
import { open311Error, open311Locale, open311Resource, open311Response } from "../web/open311.server";

/** Open311 GET a service request (`requests/<id>.json` or `.xml`): a list of one. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const resource = open311Resource(params.id);
  const format = resource?.format ?? "json";
  const id = resource?.name ?? null;
  if (id === null || !/^[1-9]\d{0,8}$/.test(id)) return open311Error(404, "service_request_id was not found", format);
  const found = await open311Request(context.db, scopeOf(municipality, observer), {
    number: Number(id),
    locale: open311Locale(new URL(request.url)),
  });
  return found
    ? open311Response(format, "service_requests", [found])
    : open311Error(404, `service_request_id ${id} was not found`, format);
}
