import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireRoundPath } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { receiptView } from "../services/ballots/receipts.server";
import { observer, scopeOf } from "../services/scope";

/**
 * Public: a ballot's receipt as a JSON download (checked offline with `shora verify-receipt`). A route
 * of its own: a page route answers a browser's request with its HTML, whatever its loader returns.
 * It never says whether the ballot still counts (ADR 0017): the checks derive that from the bundle.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, round } = await requireRoundPath(context, params);
  const ballotId = (new URL(request.url).searchParams.get("ballot") ?? "").trim().slice(0, 100);
  const view = ballotId
    ? await receiptView(context.db, scopeOf(municipality, observer), { roundId: round.id, ballotId })
    : null;
  if (!view) throw notFound("ballot");
  return new Response(JSON.stringify(view.receipt, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="receipt-${view.receipt.ballotId}.json"`,
      // The receipt changes when a checkpoint covers the ballot: never serve a stale copy.
      "Cache-Control": "no-store",
    },
  });
}
