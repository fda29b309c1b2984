/**
 * Response-time figures against a seeded history whose answers are worked out by hand: Tehran time,
 * Friday weekend, one holiday, a report closed before anyone acknowledged it, one still open.
 */
import { describe, expect, it } from "vitest";
import {
  computeFigures,
  figuresCsv,
  median,
  monthOf,
  percentile,
  workingDaysBetween,
  type ReportFact,
  type WorkCalendar,
} from "../../app/domain/reports/figures";

const tehran: WorkCalendar = { timeZone: "Asia/Tehran", weekend: [5], holidays: ["2026-11-14"] };
/** A moment in Tehran local time (+03:30, no daylight saving since 2022). */
const at = (local: string) => new Date(`${local}+03:30`);

describe("working days", () => {
  it("counts the days after the first up to the second, skipping Fridays and holidays", () => {
    // Thursday 2026-11-05 → Saturday 2026-11-07: Friday is off, Saturday counts.
    expect(workingDaysBetween(tehran, at("2026-11-05T10:00:00"), at("2026-11-07T09:00:00"))).toBe(1);
    // The same day is 0, however many hours.
    expect(workingDaysBetween(tehran, at("2026-11-07T08:00:00"), at("2026-11-07T19:00:00"))).toBe(0);
    // Wed 11-11 → Sun 11-15: Thu 12, (Fri 13 off), (Sat 14 holiday), Sun 15 → 2.
    expect(workingDaysBetween(tehran, at("2026-11-11T12:00:00"), at("2026-11-15T12:00:00"))).toBe(2);
    // The local day decides: 23:50 Tehran on Wednesday is still Wednesday although UTC says so too; 00:10 Thursday is Thursday.
    expect(workingDaysBetween(tehran, at("2026-11-04T23:50:00"), at("2026-11-05T00:10:00"))).toBe(1);
    // A Saturday–Sunday weekend elsewhere.
    const europe: WorkCalendar = { timeZone: "Europe/Berlin", weekend: [0, 6], holidays: [] };
    expect(workingDaysBetween(europe, new Date("2026-11-06T10:00:00Z"), new Date("2026-11-09T10:00:00Z"))).toBe(1);
  });

  it("names months in the Gregorian or the Solar Hijri calendar", () => {
    expect(monthOf("2026-11-05", "gregorian")).toBe("2026-11");
    expect(monthOf("2026-11-05", "persian")).toBe("1405-08"); // 14 Aban 1405
    expect(monthOf("2026-11-22", "persian")).toBe("1405-09"); // 1 Azar 1405
  });

  it("takes the median as the middle (or the mean of the two middle) and p90 by nearest rank", () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([5, 1, 9], 90)).toBe(9);
  });
});

describe("figures of a seeded history", () => {
  const history: ReportFact[] = [
    // 1. Thu 11-05 → acknowledged Sat 11-07 (1), closed Tue 11-10 (Sat, Sun, Mon, Tue = 4).
    {
      category: "lights",
      filedAt: at("2026-11-05T10:00:00"),
      firstResponseAt: at("2026-11-07T09:00:00"),
      closedAt: at("2026-11-10T16:00:00"),
    },
    // 2. Closed before it was acknowledged: Sun 11-08 → closed Wed 11-11 (3); first response = closing.
    {
      category: "lights",
      filedAt: at("2026-11-08T09:00:00"),
      firstResponseAt: null,
      closedAt: at("2026-11-11T09:00:00"),
    },
    // 3. Wed 11-11 → acknowledged Tue 11-17: Thu 12, Sun 15, Mon 16, Tue 17 = 4 (past the 3-day target); open.
    {
      category: "lights",
      filedAt: at("2026-11-11T12:00:00"),
      firstResponseAt: at("2026-11-17T12:00:00"),
      closedAt: null,
    },
    // 4. Filed Sat 11-28 (Solar Hijri: Azar), never answered; now is Tue 12-01 → 3 working days, not yet due.
    { category: "lights", filedAt: at("2026-11-28T08:00:00"), firstResponseAt: null, closedAt: null },
    // 5. Another category, filed in October, answered the same day, never closed; open 27 working days… see below.
    {
      category: "platform",
      filedAt: at("2026-10-20T08:00:00"),
      firstResponseAt: at("2026-10-20T15:00:00"),
      closedAt: null,
    },
  ];
  const now = at("2026-12-01T12:00:00");
  const figures = computeFigures({
    reports: history,
    categories: [
      { code: "lights", targetDays: 3 },
      { code: "platform", targetDays: 2 },
    ],
    calendar: tehran,
    now,
  });

  it("gives each category and month its counts, medians, 90th percentiles and share within target", () => {
    expect(figures.months).toEqual([
      {
        category: "lights",
        month: "2026-11",
        received: 4,
        responded: 3,
        firstResponseMedian: 3, // 1, 3, 4
        firstResponseP90: 4,
        resolved: 2,
        resolutionMedian: 3.5, // 4 and 3
        resolutionP90: 4,
        withinTarget: 2,
        targetDue: 3, // report 4 is within its 3 days still
        withinTargetShare: 66.7,
      },
      {
        category: "platform",
        month: "2026-10",
        received: 1,
        responded: 1,
        firstResponseMedian: 0,
        firstResponseP90: 0,
        resolved: 0,
        resolutionMedian: null,
        resolutionP90: null,
        withinTarget: 1,
        targetDue: 1,
        withinTargetShare: 100,
      },
    ]);
  });

  it("counts the open backlog by working days of age", () => {
    // Open at now: report 3 (Wed 11-11 → Tue 12-01: 17 working days), report 4 (3), report 5 (35, below).
    const days5 = workingDaysBetween(tehran, history[4].filedAt, now);
    expect(days5).toBe(42 - 6 - 1); // Oct 21 … Dec 1: 42 calendar days, 6 Fridays, 1 holiday
    expect(figures.backlog).toEqual([
      { category: "lights", bucket: "0-3", open: 1 },
      { category: "lights", bucket: "4-10", open: 0 },
      { category: "lights", bucket: "11-30", open: 1 },
      { category: "lights", bucket: "31+", open: 0 },
      { category: "platform", bucket: "0-3", open: 0 },
      { category: "platform", bucket: "4-10", open: 0 },
      { category: "platform", bucket: "11-30", open: 0 },
      { category: "platform", bucket: "31+", open: 1 },
    ]);
  });

  it("groups by Solar Hijri months for Persian figures", () => {
    const fa = computeFigures({
      reports: history,
      categories: [{ code: "lights", targetDays: 3 }],
      calendar: tehran,
      now,
      months: "persian",
    });
    expect(fa.months.map((m) => [m.month, m.received])).toEqual([
      ["1405-08", 3],
      ["1405-09", 1],
    ]);
  });

  it("writes the same numbers as CSV", () => {
    const csv = figuresCsv(figures);
    expect(csv.split("\r\n")[0]).toBe(
      "category,month,received,responded,first_response_median_days,first_response_p90_days,resolved,resolution_median_days,resolution_p90_days,within_target,target_due,within_target_percent",
    );
    expect(csv.split("\r\n")[1]).toBe("lights,2026-11,4,3,3,4,2,3.5,4,2,3,66.7");
    expect(csv.split("\r\n")[2]).toBe("platform,2026-10,1,1,0,0,0,,,1,1,100");
  });
});
