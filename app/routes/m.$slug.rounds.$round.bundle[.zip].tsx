import type { LoaderFunctionArgs } from "@remix-run/node";
import { zipBundle } from "../domain/bundle/zip";
import { roundBundle } from "../services/tally/bundle.server";
import { requireMunicipality } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { observer, scopeOf } from "../services/scope";

/** Public: the whole published bundle of a round as one .zip (404 until the round is published). */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const bundle = await roundBundle(context.db, scopeOf(municipality, observer), { roundSlug: params.round ?? "" });
  if (!bundle) throw notFound("bundle");
  return new Response(zipBundle(bundle.files) as unknown as BodyInit, {
    headers: {
      "Content-Type": "application/zip",
      "Content-Disposition": `attachment; filename="${municipality.slug}-${bundle.round.round.slug}-bundle.zip"`,
      "Cache-Control": "public, max-age=300",
      "Access-Control-Allow-Origin": "*",
      "X-Round-Fingerprint": bundle.fingerprint,
    },
  });
}
