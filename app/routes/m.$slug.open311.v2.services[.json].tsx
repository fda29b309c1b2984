import type { LoaderFunctionArgs } from "@remix-run/node";
import { open311Services } from "../services/reports/open311.server";
import { observer, scopeOf } from "../services/scope";
import { requireMunicipality } from "../web/guards.server";
import { open311FormatOf, open311Locale, open311Response } from "../web/open311.server";

/** Open311 GET services: the report categories (`services.json`, and `services.xml` through this loader). */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const locale = open311Locale(new URL(request.url));
  const services = await open311Services(context.db, scopeOf(municipality, observer), { locale });
  return open311Response(open311FormatOf(request), "services", services);
}
