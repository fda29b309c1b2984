/**
 * The council's response-time figures for residents' reports (ADR 0039): pure, so the public page,
 * the open data and the tests compute the same numbers from the same facts.
 *
 * Working days follow the municipality's week and calendar: a day is a working day unless its weekday
 * is in `weekend` (0 Sunday … 6 Saturday; Friday, 5, in Iran) or it is one of the `holidays`. Elapsed
 * working days between two moments are the working days after the first one's local day up to and
 * including the second one's: an answer the same day takes 0, one filed on Thursday and answered on
 * Saturday in Tehran takes 1 (Friday does not count).
 */
import { addDays } from "../rounds/rules";
import { dayIn } from "../rounds/phases";
import { csvCell } from "../csv";

export interface WorkCalendar {
  timeZone: string;
  /** Weekdays off, 0 = Sunday … 6 = Saturday. */
  weekend: readonly number[];
  /** ISO days off besides the weekend. */
  holidays: readonly string[];
}

export interface ReportFact {
  category: string;
  filedAt: Date;
  /** The council's first response: acknowledgement, public reply or closing, whichever came first. */
  firstResponseAt: Date | null;
  /** Closed with a resolution or merged as a duplicate. */
  closedAt: Date | null;
}

export interface CategoryTarget {
  code: string;
  /** First response within this many working days. */
  targetDays: number;
}

export type MonthCalendar = "gregorian" | "persian";

export interface MonthFigures {
  category: string;
  /** `YYYY-MM` in the month calendar asked for (Solar Hijri on Persian pages). */
  month: string;
  received: number;
  responded: number;
  firstResponseMedian: number | null;
  firstResponseP90: number | null;
  resolved: number;
  resolutionMedian: number | null;
  resolutionP90: number | null;
  /** Reports answered within the target, of those answered or already past it. */
  withinTarget: number;
  targetDue: number;
  /** Percent (0–100) of `targetDue` answered within target, or null when none is due. */
  withinTargetShare: number | null;
}

export const BACKLOG_BUCKETS = ["0-3", "4-10", "11-30", "31+"] as const;
export type BacklogBucket = (typeof BACKLOG_BUCKETS)[number];

export interface BacklogFigures {
  category: string;
  bucket: BacklogBucket;
  open: number;
}

export interface Figures {
  months: MonthFigures[];
  backlog: BacklogFigures[];
}

function weekday(day: string): number {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

export function isWorkingDay(calendar: WorkCalendar, day: string): boolean {
  return !calendar.weekend.includes(weekday(day)) && !calendar.holidays.includes(day);
}

/** Working days after `from`'s local day up to and including `to`'s (0 when `to` is not later). */
export function workingDaysBetween(calendar: WorkCalendar, from: Date, to: Date): number {
  const first = dayIn(calendar.timeZone, from);
  const last = dayIn(calendar.timeZone, to);
  let count = 0;
  for (let day = addDays(first, 1); day <= last; day = addDays(day, 1)) {
    if (isWorkingDay(calendar, day)) count += 1;
  }
  return count;
}

const persianMonth = new Intl.DateTimeFormat("en-u-ca-persian-nu-latn", {
  year: "numeric",
  month: "numeric",
  day: "numeric",
  timeZone: "UTC",
});

/** The month (`YYYY-MM`) of an ISO day in the Gregorian or the Solar Hijri calendar. */
export function monthOf(day: string, calendar: MonthCalendar): string {
  if (calendar === "gregorian") return day.slice(0, 7);
  const [y, m, d] = day.split("-").map(Number);
  const parts = persianMonth.formatToParts(new Date(Date.UTC(y, m - 1, d, 12)));
  const year = parts.find((p) => p.type === "year")?.value ?? "";
  const month = parts.find((p) => p.type === "month")?.value ?? "";
  return `${year.replace(/\D/g, "")}-${month.padStart(2, "0")}`;
}

/** The median: the middle value, or the mean of the two middle ones. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The p-th percentile by nearest rank: the smallest value with at least p % of values at or below it. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function backlogBucket(workingDays: number): BacklogBucket {
  if (workingDays <= 3) return "0-3";
  if (workingDays <= 10) return "4-10";
  if (workingDays <= 30) return "11-30";
  return "31+";
}

/**
 * Per category (in the order given) and month (oldest first): reports received, time to first response
 * and to resolution (median and 90th percentile, in working days), the share answered within target;
 * and the open backlog by age at `now`. A report closed before anyone acknowledged it was first
 * answered when it was closed.
 */
export function computeFigures(input: {
  reports: readonly ReportFact[];
  categories: readonly CategoryTarget[];
  calendar: WorkCalendar;
  now: Date;
  months?: MonthCalendar;
}): Figures {
  const { calendar, now } = input;
  const monthCalendar = input.months ?? "gregorian";
  const months: MonthFigures[] = [];
  const backlog: BacklogFigures[] = [];
  for (const category of input.categories) {
    const mine = input.reports.filter((r) => r.category === category.code);
    const byMonth = new Map<string, ReportFact[]>();
    for (const r of mine) {
      const month = monthOf(dayIn(calendar.timeZone, r.filedAt), monthCalendar);
      byMonth.set(month, [...(byMonth.get(month) ?? []), r]);
    }
    for (const month of [...byMonth.keys()].sort()) {
      const rows = byMonth.get(month) ?? [];
      const firstResponse: number[] = [];
      const resolution: number[] = [];
      let withinTarget = 0;
      let targetDue = 0;
      for (const r of rows) {
        const first = r.firstResponseAt ?? r.closedAt;
        if (first) {
          const days = workingDaysBetween(calendar, r.filedAt, first);
          firstResponse.push(days);
          targetDue += 1;
          if (days <= category.targetDays) withinTarget += 1;
        } else if (workingDaysBetween(calendar, r.filedAt, now) > category.targetDays) {
          targetDue += 1;
        }
        if (r.closedAt) resolution.push(workingDaysBetween(calendar, r.filedAt, r.closedAt));
      }
      months.push({
        category: category.code,
        month,
        received: rows.length,
        responded: firstResponse.length,
        firstResponseMedian: median(firstResponse),
        firstResponseP90: percentile(firstResponse, 90),
        resolved: resolution.length,
        resolutionMedian: median(resolution),
        resolutionP90: percentile(resolution, 90),
        withinTarget,
        targetDue,
        withinTargetShare: targetDue ? Math.round((withinTarget / targetDue) * 1000) / 10 : null,
      });
    }
    const open = new Map<BacklogBucket, number>(BACKLOG_BUCKETS.map((b) => [b, 0]));
    for (const r of mine) {
      if (r.closedAt && r.closedAt <= now) continue;
      const bucket = backlogBucket(workingDaysBetween(calendar, r.filedAt, now));
      open.set(bucket, (open.get(bucket) ?? 0) + 1);
    }
    for (const bucket of BACKLOG_BUCKETS)
      backlog.push({ category: category.code, bucket, open: open.get(bucket) ?? 0 });
  }
  return { months, backlog };
}

/** The figures as CSV rows (open data), one per category and month. */
export const FIGURES_CSV_COLUMNS = [
  "category",
  "month",
  "received",
  "responded",
  "first_response_median_days",
  "first_response_p90_days",
  "resolved",
  "resolution_median_days",
  "resolution_p90_days",
  "within_target",
  "target_due",
  "within_target_percent",
] as const;

export function figuresCsvRows(figures: Figures): (string | number | null)[][] {
  return figures.months.map((m) => [
    m.category,
    m.month,
    m.received,
    m.responded,
    m.firstResponseMedian,
    m.firstResponseP90,
    m.resolved,
    m.resolutionMedian,
    m.resolutionP90,
    m.withinTarget,
    m.targetDue,
    m.withinTargetShare,
  ]);
}

/** The whole CSV file (header and rows, CRLF line ends) of the figures. */
export function figuresCsv(figures: Figures): string {
  const lines = [FIGURES_CSV_COLUMNS.join(","), ...figuresCsvRows(figures).map((row) => row.map(csvCell).join(","))];
  return `${lines.join("\r\n")}\r\n`;
}
