/**
 * The municipality's list of addresses (a gazetteer) as staff upload it: CSV `address,lat,lon`.
 * A resident types an address from the list instead of a point (ADR 0035). Pure.
 */
import { csvRecords } from "../csv";
import { readPoint } from "./geojson";
import { latinDigits } from "../i18n/numbers";

export const ADDRESSES_MAX_BYTES = 5_000_000;
export const ADDRESSES_MAX_ROWS = 50_000;

export interface AddressRow {
  key: string;
  label: string;
  lat: number;
  lon: number;
}

export type AddressProblemCode =
  | "too_large"
  | "header"
  | "too_many"
  | "columns"
  | "label"
  | "point"
  | "duplicate"
  | "outside";
export interface AddressProblem {
  code: AddressProblemCode;
  line: number | null;
}

/**
 * The form of an address that matching compares: Arabic yeh and kaf as Persian ی and ک, zero-width
 * non-joiners and punctuation as spaces, Persian and Arabic digits as Latin ones, lower case.
 */
export function foldAddress(text: string): string {
  return latinDigits(text.normalize("NFKC"))
    .replace(/[يى]/g, "ی")
    .replace(/ك/g, "ک")
    .replace(/\u200c|\u200d|\u200e|\u200f/g, " ")
    .replace(/[.,،؛;:"'()\-_/]+/g, " ")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

export function readAddressesCsv(
  text: string,
): { ok: true; rows: AddressRow[] } | { ok: false; problems: AddressProblem[] } {
  if (Buffer.byteLength(text, "utf8") > ADDRESSES_MAX_BYTES) {
    return { ok: false, problems: [{ code: "too_large", line: null }] };
  }
  const rows: AddressRow[] = [];
  const problems: AddressProblem[] = [];
  const seen = new Set<string>();
  let header = true;
  for (const record of csvRecords(text)) {
    if (problems.length >= 20) break;
    const fields = record.fields.map((f) => f.trim());
    if (header) {
      header = false;
      if (fields.join(",").toLowerCase() !== "address,lat,lon") {
        return { ok: false, problems: [{ code: "header", line: record.line }] };
      }
      continue;
    }
    if (rows.length >= ADDRESSES_MAX_ROWS) return { ok: false, problems: [{ code: "too_many", line: record.line }] };
    if (record.error || fields.length !== 3) {
      problems.push({ code: "columns", line: record.line });
      continue;
    }
    const [label = "", lat = "", lon = ""] = fields;
    const key = foldAddress(label);
    if (!key || label.length > 200 || hasControl(label)) {
      problems.push({ code: "label", line: record.line });
      continue;
    }
    const point = readPoint(lat, lon);
    if (!point) {
      problems.push({ code: "point", line: record.line });
      continue;
    }
    if (seen.has(key)) {
      problems.push({ code: "duplicate", line: record.line });
      continue;
    }
    seen.add(key);
    rows.push({ key, label, ...point });
  }
  if (header) return { ok: false, problems: [{ code: "header", line: 1 }] };
  return problems.length > 0 ? { ok: false, problems } : { ok: true, rows };
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
