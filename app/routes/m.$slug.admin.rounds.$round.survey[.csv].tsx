import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireStaff } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { requestLocale } from "../web/locale.server";
import { findRound } from "../services/rounds/rounds-admin.server";
import { surveyCsv } from "../services/participation/surveys.server";
import { scopeOf, userActor } from "../services/scope";

/** Staff: the survey's answers as CSV, one anonymous row per respondent. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireStaff(request, context, params.slug);
  const scope = scopeOf(municipality, userActor(user));
  const round = await findRound(context.db, scope, { slug: params.round ?? "" });
  if (!round) throw notFound("round");
  const csv = await surveyCsv(context.db, scope, { roundId: round.id, locale: requestLocale(request) });
  return new Response(`\uFEFF${csv}`, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${round.slug}-survey.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
