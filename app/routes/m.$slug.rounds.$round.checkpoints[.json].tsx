import type { LoaderFunctionArgs } from "@remix-run/node";
import { publicCheckpoints, publicConsistencyProof } from "../services/ballots/checkpoints.server";
import { requireMunicipality } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { findRound } from "../services/rounds/rounds-admin.server";
import { observer, scopeOf } from "../services/scope";

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body, null, 2), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Access-Control-Allow-Origin": "*" },
  });

/**
 * Public: every signed checkpoint of the round's ballot ledger (with its signed note and the
 * witnesses' cosignatures), the municipality's public key, witnesses and quorum. With `?from=A&to=B`
 * (two checkpoint sizes), the consistency proof between them instead, for `shora monitor` (ADR 0022).
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const scope = scopeOf(municipality, observer);
  const round = await findRound(context.db, scope, { slug: params.round ?? "" });
  if (!round) throw notFound("round");
  const query = new URL(request.url).searchParams;
  if (query.has("from") || query.has("to")) {
    const proof = await publicConsistencyProof(context.db, scopeOf(municipality, observer), {
      roundId: round.id,
      from: query.get("from") ?? "",
      to: query.get("to") ?? "",
    });
    if ("error" in proof) return json({ error: proof.error }, proof.status);
    return json(proof);
  }
  const body = await publicCheckpoints(context.db, scope, { roundId: round.id });
  return json({ municipality: municipality.slug, round: round.slug, ...body });
}
