/** Rules of implementation tracking for funded proposals (pure: used by the server and its tests). */
import { csvLine } from "../csv";

export const IMPLEMENTATION_STATUSES = ["planned", "in_progress", "completed", "cancelled"] as const;
export type ImplementationStatus = (typeof IMPLEMENTATION_STATUSES)[number];

export interface ImplementationState {
  status: ImplementationStatus;
  progress: number;
  spent: number;
}

export interface ImplementationUpdateInput {
  status: ImplementationStatus;
  progress: number;
  spent: number;
  note: string;
  cancelReason: string | null;
}

export type ImplementationProblem =
  | { code: "cancelled_is_final"; field: "status" }
  | { code: "completed_is_final"; field: "status" }
  | { code: "cancel_needs_reason"; field: "cancelReason" }
  | { code: "progress_range"; field: "progress" }
  | { code: "completed_needs_100"; field: "progress" }
  | { code: "progress_backwards"; field: "progress"; previous: number }
  | { code: "spent_negative"; field: "spent" };

/**
 * Checks an update against the current state: cancelled and completed are final, cancelling needs
 * a reason, progress is 0–100 and does not go back, completed means 100 %, money spent is not negative.
 */
export function checkImplementationUpdate(
  current: ImplementationState,
  next: ImplementationUpdateInput,
): ImplementationProblem[] {
  const problems: ImplementationProblem[] = [];
  if (current.status === "cancelled") problems.push({ code: "cancelled_is_final", field: "status" });
  if (current.status === "completed" && next.status !== "completed")
    problems.push({ code: "completed_is_final", field: "status" });
  if (next.status === "cancelled" && !next.cancelReason?.trim())
    problems.push({ code: "cancel_needs_reason", field: "cancelReason" });
  if (!Number.isInteger(next.progress) || next.progress < 0 || next.progress > 100) {
    problems.push({ code: "progress_range", field: "progress" });
  } else if (next.status !== "cancelled" && next.progress < current.progress) {
    problems.push({ code: "progress_backwards", field: "progress", previous: current.progress });
  }
  if (next.status === "completed" && next.progress !== 100)
    problems.push({ code: "completed_needs_100", field: "progress" });
  if (next.spent < 0) problems.push({ code: "spent_negative", field: "spent" });
  return problems;
}

export interface FundedItem {
  title: string;
  allocated: number;
  spent: number;
}

/** Chart.js data for "money spent vs allocated" (one bar pair per funded proposal). */
export function spentVsAllocatedChart(items: readonly FundedItem[], labels: { allocated: string; spent: string }) {
  return {
    labels: items.map((i) => i.title),
    datasets: [
      { label: labels.allocated, data: items.map((i) => i.allocated), backgroundColor: "#8fb3d9" },
      { label: labels.spent, data: items.map((i) => i.spent), backgroundColor: "#0b5cad" },
    ],
  };
}

/** CSV with a header row and CRLF line ends; cells written by `csvCell` (quoted when needed, formulas neutralised). */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  return `${[header, ...rows].map(csvLine).join("\r\n")}\r\n`;
}

/** One funded proposal in the municipality's open data (stable field names). */
export interface ImplementationOpenRow {
  round: string;
  envelope: string;
  proposal: string;
  title_en: string | null;
  title_fa: string | null;
  allocated: number;
  currency: string;
  status: ImplementationStatus;
  progress: number;
  spent: number;
  expected_completion: string | null;
  cancel_reason: string | null;
  updated_at: string | null;
}

export function implementationCsv(rows: readonly ImplementationOpenRow[]): string {
  const header: (keyof ImplementationOpenRow)[] = [
    "round",
    "envelope",
    "proposal",
    "title_en",
    "title_fa",
    "allocated",
    "currency",
    "status",
    "progress",
    "spent",
    "expected_completion",
    "cancel_reason",
    "updated_at",
  ];
  return toCsv(
    header,
    rows.map((r) => header.map((h) => r[h])),
  );
}
