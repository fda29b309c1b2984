import { describe, expect, it } from "vitest";
import { currentPhase, dayIn, hourOf, sortPhases } from "../../app/domain/rounds/phases";

const phases = [
  { kind: "voting" as const, startsOn: "2026-12-01", endsOn: "2026-12-14" },
  { kind: "proposals" as const, startsOn: "2026-11-01", endsOn: "2026-11-20" },
];

describe("round phases", () => {
  it("finds the phase whose days include today (both ends inclusive)", () => {
    expect(currentPhase(phases, "2026-11-01")?.kind).toBe("proposals");
    expect(currentPhase(phases, "2026-11-20")?.kind).toBe("proposals");
    expect(currentPhase(phases, "2026-11-25")).toBeNull();
    expect(currentPhase(phases, "2026-12-14")?.kind).toBe("voting");
  });

  it("takes today in the municipality's time zone", () => {
    const lateEvening = new Date("2026-11-30T21:00:00Z"); // already 1 December in Tehran (UTC+3:30)
    expect(dayIn("UTC", lateEvening)).toBe("2026-11-30");
    expect(dayIn("Asia/Tehran", lateEvening)).toBe("2026-12-01");
  });

  it("orders phases as they happen", () => {
    expect(sortPhases(phases).map((p) => p.kind)).toEqual(["proposals", "voting"]);
  });
});

describe("coarse cast times", () => {
  it("keeps a time to the hour and never moves it to another local day", () => {
    expect(hourOf(new Date("2026-12-06T13:47:12.345Z")).toISOString()).toBe("2026-12-06T13:00:00.000Z");
    // 00:10 in Tehran (+03:30) is 20:40 UTC the evening before: the UTC hour (20:00) would be 23:30
    // local on the previous day; the first quarter hour of the local day is kept instead.
    const justAfterMidnight = new Date("2026-03-20T20:40:00Z");
    expect(dayIn("Asia/Tehran", justAfterMidnight)).toBe("2026-03-21");
    const stored = hourOf(justAfterMidnight, "Asia/Tehran");
    expect(stored.toISOString()).toBe("2026-03-20T20:30:00.000Z");
    expect(dayIn("Asia/Tehran", stored)).toBe("2026-03-21");
    // Later in the hour the UTC hour is on the same local day and is kept.
    expect(hourOf(new Date("2026-03-21T09:59:00Z"), "Asia/Tehran").toISOString()).toBe("2026-03-21T09:00:00.000Z");
    // Kathmandu (+05:45): 00:05 local is 18:20 UTC; the local day starts at 18:15 UTC.
    expect(hourOf(new Date("2026-03-20T18:20:00Z"), "Asia/Kathmandu").toISOString()).toBe("2026-03-20T18:15:00.000Z");
  });
});
