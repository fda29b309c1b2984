import type { LoaderFunctionArgs } from "@remix-run/node";
import { receiptFor } from "../services/checkpoints.server";
import { requireRoundPath } from "../services/guards.server";
import { notFound } from "../services/http.server";

/**
 * Public: a ballot's receipt as a JSON download (checked offline with `shora verify-receipt`). A route
 * of its own: a page route answers a browser's request with its HTML, whatever its loader returns.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { round } = await requireRoundPath(context, params);
  const ballotId = (new URL(request.url).searchParams.get("ballot") ?? "").trim().slice(0, 100);
  const receipt = ballotId ? await receiptFor(context.db, round.id, ballotId, round) : null;
  if (!receipt) throw notFound("ballot");
  return new Response(JSON.stringify(receipt, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="receipt-${receipt.ballotId}.json"`,
    },
  });
}
