import type { LoaderFunctionArgs } from "@remix-run/node";
import { pickText } from "../domain/i18n";
import { open311ServiceDefinition } from "../services/reports/open311.server";
import { fundedProjects } from "../services/reports/reports.server";
import { observer, scopeOf } from "../services/scope";
import { requireMunicipality } from "../web/guards.server";
import { open311Error, open311Locale, open311Resource, open311Response } from "../web/open311.server";

/** Open311 GET a service definition (`services/<code>.json` or `.xml`): its attributes. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const resource = open311Resource(params.code);
  if (resource === null)
    return open311Error(404, "Ask for services/<service_code>.json or services/<service_code>.xml");
  const { name: code, format } = resource;
  const locale = open311Locale(new URL(request.url));
  const scope = scopeOf(municipality, observer);
  const projects = (await fundedProjects(context.db, scope)).map((p) => ({
    id: p.id,
    title: pickText(p.title, locale),
  }));
  const definition = await open311ServiceDefinition(context.db, scope, { code, locale, projects });
  if (!definition) return open311Error(404, `service_code ${code} was not found`, format);
  return open311Response(format, "service_definition", definition);
}
