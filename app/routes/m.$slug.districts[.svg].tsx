import type { LoaderFunctionArgs } from "@remix-run/node";
import { districtsPicture } from "../domain/geo/picture";
import { direction, isLocale, pickText } from "../domain/i18n";
import { districtsDrawing } from "../services/geo/maps.server";
import { observer, scopeOf } from "../services/scope";
import { districtsOf } from "../services/tenancy/municipality.server";
import { requireMunicipality } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { requestLocale } from "../web/locale.server";

/**
 * The municipality's districts as an SVG picture, names in `?lang=` (ADR 0035): the map a resident
 * clicks on the point form without JavaScript. 404 when no district has an outline.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const scope = scopeOf(municipality, observer);
  const drawing = await districtsDrawing(context.db, scope);
  if (!drawing) throw notFound("map");
  const asked = new URL(request.url).searchParams.get("lang");
  const locale = isLocale(asked) ? asked : requestLocale(request);
  const names = new Map((await districtsOf(context.db, scope)).map((d) => [d.id, pickText(d.name, locale)]));
  return new Response(districtsPicture(drawing, names, direction(locale)), {
    headers: {
      "Content-Type": "image/svg+xml; charset=utf-8",
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "public, max-age=300",
      Vary: "Cookie",
    },
  });
}
