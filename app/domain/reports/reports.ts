/**
 * Rules of residents' reports (ADR 0039): where a report may be, and what a desk change needs. Pure.
 */
import { latinDigits } from "../i18n/numbers";
export const REPORT_STATUSES = ["open", "acknowledged", "in_progress", "closed", "duplicate"] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export const REPORT_DESCRIPTION_MAX = 5000;
export const REPORT_REPLY_MAX = 5000;
export const REPORT_PHOTOS_MAX = 3;
/** Largest photo file accepted (ADR 0014's upload limits: the form's whole body is capped a little above). */
export const REPORT_PHOTO_MAX_BYTES = 5 * 1024 * 1024;

export interface Bounds {
  minLat: number | null;
  maxLat: number | null;
  minLon: number | null;
  maxLon: number | null;
}

/** A point lies in the municipality: inside its box, or anywhere on Earth when no box is set. */
export function insideBounds(bounds: Bounds | null, lat: number, lon: number): boolean {
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return false;
  if (!bounds || bounds.minLat === null || bounds.maxLat === null || bounds.minLon === null || bounds.maxLon === null)
    return true;
  return lat >= bounds.minLat && lat <= bounds.maxLat && lon >= bounds.minLon && lon <= bounds.maxLon;
}

/** Closed and merged reports are done; the rest are open in Open311's sense. */
export function isClosedStatus(status: ReportStatus): boolean {
  return status === "closed" || status === "duplicate";
}

export type ReportChangeProblem =
  | { code: "report_same_status"; field: "status" }
  | { code: "report_resolution_required"; field: "resolution" }
  | { code: "report_duplicate_required"; field: "duplicateOf" }
  | { code: "report_duplicate_self"; field: "duplicateOf" };

/** What a status change needs: a new status, a resolution to close, another report to merge into. */
export function checkStatusChange(input: {
  number: number;
  from: ReportStatus;
  to: ReportStatus;
  resolution: string | null;
  duplicateOf: number | null;
}): ReportChangeProblem | null {
  if (input.from === input.to) return { code: "report_same_status", field: "status" };
  if (input.to === "closed" && !input.resolution?.trim())
    return { code: "report_resolution_required", field: "resolution" };
  if (input.to === "duplicate") {
    if (input.duplicateOf === null) return { code: "report_duplicate_required", field: "duplicateOf" };
    if (input.duplicateOf === input.number) return { code: "report_duplicate_self", field: "duplicateOf" };
  }
  return null;
}

/** A typed coordinate in decimal degrees (Persian or Arabic digits and decimal sign accepted); null when empty, NaN when not a number. */
export function parseCoordinate(raw: string): number | null {
  const text = latinDigits(raw.trim()).replace(/[٫,]/g, ".").replace(/^[−–]/, "-");
  if (text === "") return null;
  return /^-?\d{1,3}(\.\d{1,12})?$/.test(text) ? Number(text) : Number.NaN;
}
