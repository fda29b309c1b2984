import type { LoaderFunctionArgs } from "@remix-run/node";
import { reportFigures } from "../services/reports/reports.server";
import { observer, scopeOf } from "../services/scope";
import { requireMunicipality } from "../web/guards.server";

/** Open data: the response-time figures as JSON (Gregorian months; `?months=persian` for Solar Hijri). */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const months = new URL(request.url).searchParams.get("months") === "persian" ? "persian" : "gregorian";
  const { figures, categories, calendar } = await reportFigures(context.db, scopeOf(municipality, observer), {
    months,
  });
  const body = {
    municipality: municipality.slug,
    months_calendar: months,
    working_week: { time_zone: calendar.timeZone, weekend: calendar.weekend, holidays: calendar.holidays },
    categories: categories.map((c) => ({ code: c.code, name: c.name, target_working_days: c.targetDays })),
    months: figures.months,
    backlog: figures.backlog,
  };
  return new Response(JSON.stringify(body, null, 2), {
    headers: { "Content-Type": "application/json; charset=utf-8", "Access-Control-Allow-Origin": "*" },
  });
}
