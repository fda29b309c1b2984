import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { parseOpen311Filters } from "../domain/reports/open311";
import { REPORT_DESCRIPTION_MAX } from "../domain/reports/reports";
import { RefusedError } from "../services/errors.server";
import { open311KeyFor, open311Requests } from "../services/reports/open311.server";
import { fileReport } from "../services/reports/reports.server";
import { observer, scopeOf } from "../services/scope";
import { requireMunicipality } from "../web/guards.server";
import { open311Error, open311FormatOf, open311Locale, open311Response } from "../web/open311.server";

/** Open311 GET service requests, with the spec's filters (`requests.json`, and `requests.xml` through this loader). */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const url = new URL(request.url);
  const format = open311FormatOf(request);
  const parsed = parseOpen311Filters(url.searchParams);
  if (!parsed.ok) return open311Error(400, parsed.error, format);
  const rows = await open311Requests(context.db, scopeOf(municipality, observer), {
    filters: parsed.filters,
    locale: open311Locale(url),
  });
  return open311Response(format, "service_requests", rows);
}

const number = (max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d{1,3}(\.\d{1,12})?$/)
    .transform(Number)
    .refine((v) => Math.abs(v) <= max)
    .optional();

const createSchema = z.object({
  api_key: z.string().min(1).max(200),
  service_code: z.string().trim().min(1).max(64),
  description: z.string().trim().min(1).max(REPORT_DESCRIPTION_MAX),
  lat: number(90),
  long: number(180),
  address_string: z.string().trim().max(500).optional(),
  email: z.string().trim().email().max(254).optional(),
  "attribute[project]": z.string().trim().max(64).optional(),
});

/**
 * Open311 POST a service request. Authorised by the API key staff issued (no cookie, so no CSRF
 * token: a browser cannot send another site's key); a missing or forged key is a 403 and nothing changes.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const format = open311FormatOf(request);
  const refuse = (status: number, description: string) => open311Error(status, description, format);
  if (request.method !== "POST") return refuse(405, "Only POST creates a service request");
  const length = Number(request.headers.get("content-length") ?? 0);
  if (length > 64 * 1024) return refuse(413, "The request is larger than 64 KB");
  const text = await request.text();
  if (text.length > 64 * 1024) return refuse(413, "The request is larger than 64 KB");
  const body = Object.fromEntries(new URLSearchParams(text));
  const scope = scopeOf(municipality, observer);
  const key = typeof body.api_key === "string" ? await open311KeyFor(context.db, scope, { key: body.api_key }) : null;
  if (!key) return refuse(403, "Invalid api_key received -- cannot create a service request");
  const parsed = createSchema.safeParse(body);
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? "request");
    return refuse(400, `${field} is missing or not valid`);
  }
  const d = parsed.data;
  if ((d.lat === undefined) !== (d.long === undefined)) return refuse(400, "lat and long must be given together");
  try {
    const created = await fileReport(context.db, scope, {
      categoryCode: d.service_code,
      description: d.description,
      lat: d.lat ?? null,
      lon: d.long ?? null,
      address: d.address_string || null,
      contactEmail: d.email ?? null,
      proposalId: d["attribute[project]"] || null,
      source: "open311",
      apiKeyId: key.id,
      locale: open311Locale(new URL(request.url)),
    });
    return open311Response(
      format,
      "service_requests",
      [{ service_request_id: String(created.number), token: created.token, service_notice: null, account_id: null }],
      201,
    );
  } catch (error) {
    if (error instanceof RefusedError) {
      if (error.code === "report_category_unknown") return refuse(404, `service_code ${d.service_code} was not found`);
      if (error.code === "report_login_required" || error.code === "report_not_resident")
        return refuse(403, `service_code ${d.service_code} takes no anonymous requests`);
      return refuse(error.status === 413 ? 413 : 400, `${error.field ?? "request"} is not valid (${error.code})`);
    }
    throw error;
  }
}
