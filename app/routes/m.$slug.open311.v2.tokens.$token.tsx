import type { LoaderFunctionArgs } from "@remix-run/node";
import { open311Token } from "../services/reports/open311.server";
import { observer, scopeOf } from "../services/scope";
import { requireMunicipality } from "../web/guards.server";
import { jsonResource, open311Error, open311Json } from "../web/open311.server";

/** Open311 GET service_request_id from a token (`tokens/<token>.json`). */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const token = jsonResource(params.token);
  if (token === null || !/^[A-Za-z0-9_-]{1,64}$/.test(token)) return open311Error(404, "token was not found");
  const found = await open311Token(context.db, scopeOf(municipality, observer), { token });
  return found ? open311Json([found]) : open311Error(404, "token was not found");
}
