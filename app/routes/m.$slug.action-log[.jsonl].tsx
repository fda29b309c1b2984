import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportActionsJsonl } from "../services/action-log/action-log.server";
import { requireMunicipality } from "../web/guards.server";
import { observer, scopeOf } from "../services/scope";

/** Public open data: the whole chained action log as JSON lines (input of `shora verify-log`). */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const body = await exportActionsJsonl(context.db, scopeOf(municipality, observer));
  return new Response(body, {
    headers: {
      "Content-Type": "application/x-ndjson; charset=utf-8",
      "Content-Disposition": `attachment; filename="${municipality.slug}-action-log.jsonl"`,
    },
  });
}
