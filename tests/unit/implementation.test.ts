import { describe, expect, it } from "vitest";
import {
  checkImplementationUpdate,
  spentVsAllocatedChart,
  toCsv,
} from "../../app/domain/implementation/implementation";

const planned = { status: "planned" as const, progress: 0, spent: 0 };
const update = { status: "in_progress" as const, progress: 30, spent: 1000, note: "Work started", cancelReason: null };

describe("implementation status rules", () => {
  it("accepts progress moving forward", () => {
    expect(checkImplementationUpdate(planned, update)).toEqual([]);
    expect(
      checkImplementationUpdate({ ...planned, progress: 30 }, { ...update, status: "completed", progress: 100 }),
    ).toEqual([]);
  });

  it("needs a reason to cancel, and cancelled or completed projects stay so", () => {
    expect(checkImplementationUpdate(planned, { ...update, status: "cancelled", cancelReason: "  " })).toEqual([
      { code: "cancel_needs_reason", field: "cancelReason" },
    ]);
    expect(checkImplementationUpdate({ ...planned, status: "cancelled" }, update)).toEqual([
      { code: "cancelled_is_final", field: "status" },
    ]);
    expect(
      checkImplementationUpdate({ status: "completed", progress: 100, spent: 5 }, { ...update, progress: 100 }),
    ).toEqual([{ code: "completed_is_final", field: "status" }]);
  });

  it("keeps progress within 0–100, never backwards, 100 when completed, and spending non-negative", () => {
    expect(checkImplementationUpdate(planned, { ...update, progress: 101 })).toEqual([
      { code: "progress_range", field: "progress" },
    ]);
    expect(checkImplementationUpdate({ ...planned, progress: 50 }, { ...update, progress: 40 })).toEqual([
      { code: "progress_backwards", field: "progress", previous: 50 },
    ]);
    expect(checkImplementationUpdate(planned, { ...update, status: "completed", progress: 90 })).toEqual([
      { code: "completed_needs_100", field: "progress" },
    ]);
    expect(checkImplementationUpdate(planned, { ...update, spent: -1 })).toEqual([
      { code: "spent_negative", field: "spent" },
    ]);
  });
});

describe("open data and charts", () => {
  it("shapes spent vs allocated for chart.js", () => {
    const chart = spentVsAllocatedChart(
      [
        { title: "Trees", allocated: 100, spent: 40 },
        { title: "Lights", allocated: 50, spent: 50 },
      ],
      { allocated: "Allocated", spent: "Spent" },
    );
    expect(chart.labels).toEqual(["Trees", "Lights"]);
    expect(chart.datasets.map((d) => [d.label, d.data])).toEqual([
      ["Allocated", [100, 50]],
      ["Spent", [40, 50]],
    ]);
  });

  it("writes CSV with quoting and neutralised formulas", () => {
    expect(
      toCsv(
        ["title", "spent"],
        [
          ['Bench, "big"', 10],
          ["=HYPERLINK(1)", null],
        ],
      ),
    ).toBe('title,spent\r\n"Bench, ""big""",10\r\n\'=HYPERLINK(1),\r\n');
  });
});
