/**
 * Open311 GeoReport v2 shapes (https://wiki.open311.org/GeoReport_v2; ADR 0039): the spec's field
 * names, its two statuses and its error list. Pure, so the API routes only serialise what this returns.
 */
import { type ReportStatus, isClosedStatus } from "./reports";

export interface Open311Error {
  code: number;
  description: string;
}

/** The spec's error body: a list of `{code, description}`. */
export function open311Errors(code: number, description: string): Open311Error[] {
  return [{ code, description }];
}

export interface Open311Service {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: "realtime" | "batch" | "blackbox";
  keywords: string;
  group: string;
}

export interface Open311Attribute {
  variable: boolean;
  code: string;
  datatype: "string" | "number" | "datetime" | "text" | "singlevaluelist" | "multivaluelist";
  required: boolean;
  datatype_description: string | null;
  order: number;
  description: string;
  values?: { key: string; name: string }[];
}

export interface Open311ServiceRequest {
  service_request_id: string;
  status: "open" | "closed";
  status_notes: string | null;
  service_name: string;
  service_code: string;
  description: string;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string | null;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number | null;
  long: number | null;
  media_url: string | null;
}

export function open311Status(status: ReportStatus): "open" | "closed" {
  return isClosedStatus(status) ? "closed" : "open";
}

/**
 * A moment as the spec wants it: ISO 8601 with the offset of the municipality's time zone
 * (`2026-11-05T10:00:00+03:30`).
 */
export function open311DateTime(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at);
  const p = (type: string) => parts.find((x) => x.type === type)?.value ?? "00";
  const local = Date.UTC(+p("year"), +p("month") - 1, +p("day"), +p("hour"), +p("minute"), +p("second"));
  const offsetMinutes = Math.round((local - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  return `${p("year")}-${p("month")}-${p("day")}T${p("hour")}:${p("minute")}:${p("second")}${offset}`;
}

/** The GET requests.json filters, read from a query string; a problem names the parameter. */
export interface Open311Filters {
  ids: number[] | null;
  serviceCodes: string[] | null;
  start: Date | null;
  end: Date | null;
  status: ("open" | "closed")[] | null;
}

export function parseOpen311Filters(
  query: URLSearchParams,
): { ok: true; filters: Open311Filters } | { ok: false; error: string } {
  const list = (name: string) => {
    const raw = query.get(name);
    return raw === null || raw.trim() === ""
      ? null
      : raw
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
  };
  const idList = list("service_request_id");
  let ids: number[] | null = null;
  if (idList) {
    if (!idList.every((s) => /^\d{1,9}$/.test(s)))
      return { ok: false, error: "service_request_id must be numbers separated by commas" };
    ids = idList.map(Number);
  }
  const date = (name: string): Date | null | "bad" => {
    const raw = query.get(name);
    if (raw === null || raw === "") return null;
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw)) return "bad";
    const d = new Date(raw);
    return Number.isNaN(d.getTime()) ? "bad" : d;
  };
  const start = date("start_date");
  if (start === "bad") return { ok: false, error: "start_date must be a w3 date-time with a time zone" };
  const end = date("end_date");
  if (end === "bad") return { ok: false, error: "end_date must be a w3 date-time with a time zone" };
  const statusList = list("status");
  if (statusList && !statusList.every((s) => s === "open" || s === "closed"))
    return { ok: false, error: "status must be open or closed" };
  return {
    ok: true,
    filters: {
      ids,
      serviceCodes: list("service_code"),
      start,
      end,
      status: statusList as ("open" | "closed")[] | null,
    },
  };
}
