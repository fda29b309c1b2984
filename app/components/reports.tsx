import type { TextKey } from "../domain/i18n";
import type { ReportStatus } from "../domain/reports/reports";

/** The label of each report status (ADR 0039). */
export const reportStatusLabel: Record<ReportStatus, TextKey> = {
  open: "reports.status.open",
  acknowledged: "reports.status.acknowledged",
  in_progress: "reports.status.in_progress",
  closed: "reports.status.closed",
  duplicate: "reports.status.duplicate",
};

export const weekdayLabel: TextKey[] = [
  "reports.weekday.0",
  "reports.weekday.1",
  "reports.weekday.2",
  "reports.weekday.3",
  "reports.weekday.4",
  "reports.weekday.5",
  "reports.weekday.6",
];

/** A report number from the address, or null (so a bad one is a 404). */
export function reportNumberParam(raw: string | undefined): number | null {
  return raw && /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : null;
}
