import type { LoaderFunctionArgs } from "@remix-run/node";
import { open311Token } from "../services/reports/open311.server";
import { observer, scopeOf } from "../services/scope";
import { requireMunicipality } from "../web/guards.server";
import { open311Error, open311Resource, open311Response } from "../web/open311.server";

/** Open311 GET service_request_id from a token (`tokens/<token>.json` or `.xml`). */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const resource = open311Resource(params.token);
  const format = resource?.format ?? "json";
  const token = resource?.name ?? null;
  if (token === null || !/^[A-Za-z0-9_-]{1,64}$/.test(token)) return open311Error(404, "token was not found", format);
  const found = await open311Token(context.db, scopeOf(municipality, observer), { token });
  return found
    ? open311Response(format, "service_requests", [found])
    : open311Error(404, "token was not found", format);
}
