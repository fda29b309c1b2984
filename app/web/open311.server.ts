/** Open311 GeoReport v2 responses (ADR 0039): JSON bodies, the spec's error list, open to any origin. */
import { type Locale, isLocale } from "../domain/i18n";
import { open311Errors } from "../domain/reports/open311";

export function open311Json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Access-Control-Allow-Origin": "*" },
  });
}

export function open311Error(status: number, description: string): Response {
  return open311Json(open311Errors(status, description), status);
}

/** Only the JSON format is served: `<name>.json`; the name without it, or null for another format. */
export function jsonResource(param: string | undefined): string | null {
  const m = /^(.{1,200})\.json$/.exec(param ?? "");
  return m ? m[1] : null;
}

/** The spec's `locale` parameter (fa or en; other values fall back to English). */
export function open311Locale(url: URL): Locale {
  const raw = (url.searchParams.get("locale") ?? "").slice(0, 2).toLowerCase();
  return isLocale(raw) ? raw : "en";
}
