import type { LoaderFunctionArgs } from "@remix-run/node";
import { publicCheckpoints } from "../services/ballots/checkpoints.server";
import { requireMunicipality } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { findRound } from "../services/rounds/rounds-admin.server";
import { observer, scopeOf } from "../services/scope";

/** Public: every signed checkpoint of the round's ballot ledger, with the municipality's public key. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const round = await findRound(context.db, scopeOf(municipality, observer), { slug: params.round ?? "" });
  if (!round) throw notFound("round");
  const body = await publicCheckpoints(context.db, round.id, municipality.id);
  return new Response(JSON.stringify({ municipality: municipality.slug, round: round.slug, ...body }, null, 2), {
    headers: { "Content-Type": "application/json; charset=utf-8", "Access-Control-Allow-Origin": "*" },
  });
}
