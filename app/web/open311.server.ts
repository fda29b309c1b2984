/**
 * Open311 GeoReport v2 responses (ADR 0039): JSON or XML as the address asks (`.json`, `.xml`), the
 * spec's error list, open to any origin.
 */
import { type Locale, isLocale } from "../domain/i18n";
import { open311Errors } from "../domain/reports/open311";
import { open311Xml } from "../domain/reports/open311-xml";

export type Open311Format = "json" | "xml";

/** The spec's root element of each answer (the XML format's; JSON has none). */
export type Open311Root = "services" | "service_requests" | "service_definition" | "errors";

export function open311Response(format: Open311Format, root: Open311Root, body: unknown, status = 200): Response {
  const xml = format === "xml";
  return new Response(xml ? open311Xml(root, body) : JSON.stringify(body), {
    status,
    headers: {
      "Content-Type": xml ? "application/xml; charset=utf-8" : "application/json; charset=utf-8",
      "Access-Control-Allow-Origin": "*",
    },
  });
}

export function open311Error(status: number, description: string, format: Open311Format = "json"): Response {
  return open311Response(format, "errors", open311Errors(status, description), status);
}

/** `<name>.json` or `<name>.xml`: the name and the format, or null for anything else. */
export function open311Resource(param: string | undefined): { name: string; format: Open311Format } | null {
  const m = /^(.{1,200})\.(json|xml)$/.exec(param ?? "");
  return m ? { name: m[1], format: m[2] as Open311Format } : null;
}

/** The format a list address ends with (`requests.xml`), JSON otherwise. */
export function open311FormatOf(request: Request): Open311Format {
  return new URL(request.url).pathname.endsWith(".xml") ? "xml" : "json";
}

/** The spec's `locale` parameter (fa or en; other values fall back to English). */
export function open311Locale(url: URL): Locale {
  const raw = (url.searchParams.get("locale") ?? "").slice(0, 2).toLowerCase();
  return isLocale(raw) ? raw : "en";
}
