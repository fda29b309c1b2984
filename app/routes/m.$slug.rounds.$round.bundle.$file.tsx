import type { LoaderFunctionArgs } from "@remix-run/node";
import { roundBundle } from "../services/tally/bundle.server";
import { requireMunicipality } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { observer, scopeOf } from "../services/scope";

function contentType(name: string): string {
  if (name.endsWith(".json")) return "application/json; charset=utf-8";
  if (name.endsWith(".jsonl")) return "application/x-ndjson; charset=utf-8";
  if (name.endsWith(".csv")) return "text/csv; charset=utf-8";
  return "text/plain; charset=utf-8";
}

/** Public: one file of a published round's bundle, at a stable address (/bundle/round.json, /bundle/north.pb…). */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const bundle = await roundBundle(context.db, scopeOf(municipality, observer), { roundSlug: params.round ?? "" });
  const file = bundle?.files.find((f) => f.name === params.file);
  if (!bundle || !file) throw notFound("bundle file");
  return new Response(new Uint8Array(file.bytes) as unknown as BodyInit, {
    headers: {
      "Content-Type": contentType(file.name),
      "Cache-Control": "public, max-age=300",
      "Access-Control-Allow-Origin": "*",
    },
  });
}
