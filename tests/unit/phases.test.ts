import { describe, expect, it } from "vitest";
import { currentPhase, dayIn, sortPhases } from "../../app/domain/rounds/phases";

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
