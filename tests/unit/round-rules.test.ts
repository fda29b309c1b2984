import { describe, expect, it } from "vitest";
import { currentPhase, rulesFrozen } from "../../app/domain/rounds/phases";
import { advancePhases, checkEnvelope, checkPhases, startPhaseNow } from "../../app/domain/rounds/rules";

const base = {
  ballotType: "approval" as const,
  minProjects: null,
  maxProjects: null,
  minSpendShare: null,
  minPoints: null,
  maxPoints: null,
};

describe("phase rules", () => {
  it("accepts ordered, non-overlapping phases with skipped ones", () => {
    expect(
      checkPhases([
        { kind: "information", startsOn: "2026-01-01", endsOn: "2026-01-10" },
        { kind: "voting", startsOn: "2026-01-11", endsOn: "2026-01-20" },
      ]),
    ).toEqual([]);
  });

  it("names the phase and field of reversed, overlapping, impossible or missing dates", () => {
    expect(checkPhases([{ kind: "voting", startsOn: "2026-01-10", endsOn: "2026-01-01" }])).toEqual([
      { code: "phase_dates_reversed", field: "voting.endsOn", params: { phase: "voting" } },
    ]);
    expect(
      checkPhases([
        { kind: "proposals", startsOn: "2026-01-01", endsOn: "2026-01-10" },
        { kind: "review", startsOn: "2026-01-10", endsOn: "2026-01-12" },
      ]),
    ).toEqual([
      { code: "phase_overlap", field: "review.startsOn", params: { phase: "review", previous: "proposals" } },
    ]);
    // Order is by kind: a voting phase dated before the proposals phase overlaps/contradicts it.
    expect(
      checkPhases([
        { kind: "voting", startsOn: "2026-01-01", endsOn: "2026-01-05" },
        { kind: "proposals", startsOn: "2026-02-01", endsOn: "2026-02-05" },
      ])[0].code,
    ).toBe("phase_overlap");
    expect(checkPhases([{ kind: "voting", startsOn: "2026-02-30", endsOn: "2026-03-01" }])[0]).toMatchObject({
      code: "phase_bad_date",
      field: "voting.startsOn",
    });
    expect(checkPhases([])[0].code).toBe("no_phases");
  });

  it("freezes rules from the first day of voting", () => {
    const phases = [{ kind: "voting" as const, startsOn: "2026-02-01", endsOn: "2026-02-10" }];
    expect(rulesFrozen(phases, "2026-01-31")).toBe(false);
    expect(rulesFrozen(phases, "2026-02-01")).toBe(true);
    expect(rulesFrozen(phases, "2026-03-01")).toBe(true);
    expect(rulesFrozen([{ kind: "information", startsOn: "2026-01-01", endsOn: "2026-12-31" }], "2026-06-01")).toBe(
      false,
    );
  });

  it("advances to the next phase: current ends yesterday, next starts today, later phases keep fitting", () => {
    const outcome = advancePhases(
      [
        { kind: "proposals", startsOn: "2026-01-01", endsOn: "2026-01-20" },
        { kind: "review", startsOn: "2026-01-21", endsOn: "2026-01-25" },
        { kind: "voting", startsOn: "2026-01-26", endsOn: "2026-02-05" },
      ],
      "2026-01-10",
    );
    expect(outcome).toEqual({
      ok: true,
      from: "proposals",
      to: "review",
      phases: [
        { kind: "proposals", startsOn: "2026-01-01", endsOn: "2026-01-09" },
        { kind: "review", startsOn: "2026-01-10", endsOn: "2026-01-25" },
        { kind: "voting", startsOn: "2026-01-26", endsOn: "2026-02-05" },
      ],
    });
    expect(
      advancePhases(
        [
          { kind: "voting", startsOn: "2026-01-10", endsOn: "2026-01-20" },
          { kind: "tallying", startsOn: "2026-01-21", endsOn: "2026-01-22" },
        ],
        "2026-01-10",
      ),
    ).toEqual({
      ok: false,
      code: "phase_started_today",
    });
    expect(advancePhases([{ kind: "voting", startsOn: "2026-01-01", endsOn: "2026-01-20" }], "2026-01-10")).toEqual({
      ok: false,
      code: "no_next_phase",
    });
    // Between phases, the next one to come starts today.
    const gap = advancePhases(
      [
        { kind: "proposals", startsOn: "2026-01-01", endsOn: "2026-01-05" },
        { kind: "voting", startsOn: "2026-01-20", endsOn: "2026-01-30" },
      ],
      "2026-01-10",
    );
    expect(gap).toMatchObject({ ok: true, from: null, to: "voting" });
  });
});

describe("envelope rules", () => {
  it("refuses impossible combinations, naming the field", () => {
    expect(checkEnvelope({ ...base, amount: 0 })).toEqual([{ code: "amount_not_positive", field: "amount" }]);
    expect(checkEnvelope({ ...base, amount: 10, minProjects: 3, maxProjects: 2 })).toEqual([
      { code: "min_over_max", field: "minProjects" },
    ]);
    expect(checkEnvelope({ ...base, amount: 10, ballotType: "k-approval" })).toEqual([
      { code: "k_required", field: "maxProjects" },
    ]);
    expect(checkEnvelope({ ...base, amount: 10, ballotType: "k-approval", maxProjects: 5 }, 3)).toEqual([
      { code: "k_over_proposals", field: "maxProjects", params: { k: 5, count: 3 } },
    ]);
    expect(checkEnvelope({ ...base, amount: 10, ballotType: "cumulative" })).toEqual([
      { code: "points_required", field: "maxPoints" },
    ]);
    expect(checkEnvelope({ ...base, amount: 10, ballotType: "cumulative", minPoints: 9, maxPoints: 5 })).toEqual([
      { code: "min_over_max", field: "minPoints" },
    ]);
    expect(checkEnvelope({ ...base, amount: 10, maxPoints: 5 })).toEqual([
      { code: "points_only_cumulative", field: "maxPoints" },
    ]);
    expect(checkEnvelope({ ...base, amount: 10, minSpendShare: 120 })).toEqual([
      { code: "share_out_of_range", field: "minSpendShare" },
    ]);
    expect(checkEnvelope({ ...base, amount: 10, ballotType: "k-approval", maxProjects: 3 }, 3)).toEqual([]);
  });
});

describe("phase changes now (ADR 0028)", () => {
  const day = "2026-01-10";
  const round = [
    { kind: "review" as const, startsOn: "2026-01-10", endsOn: "2026-01-12" },
    { kind: "voting" as const, startsOn: "2026-01-13", endsOn: "2026-01-20" },
    { kind: "tallying" as const, startsOn: "2026-01-21", endsOn: "2026-01-22" },
  ];

  it("opens voting on the day review began: review closes today, voting is current", () => {
    const opened = startPhaseNow(round, "voting", day);
    expect(opened).toMatchObject({ ok: true, from: "review", to: "voting", closed: ["review"] });
    if (!opened.ok) throw new Error("refused");
    expect(opened.phases.map((p) => [p.kind, p.startsOn, p.endsOn])).toEqual([
      ["review", "2026-01-10", "2026-01-10"],
      ["voting", "2026-01-10", "2026-01-20"],
      ["tallying", "2026-01-21", "2026-01-22"],
    ]);
    const stored = opened.phases.map((p) => (opened.closed.includes(p.kind) ? { ...p, closedAt: "now" } : p));
    expect(currentPhase(stored, day)?.kind).toBe("voting");
    expect(checkPhases(stored)).toEqual([]);
    // Without the close, the same days overlap.
    expect(checkPhases(opened.phases).map((v) => v.code)).toEqual(["phase_overlap"]);

    const closed = startPhaseNow(stored, "tallying", day);
    if (!closed.ok) throw new Error("refused");
    expect(closed.closed).toEqual(["voting"]);
    expect(closed.phases.find((p) => p.kind === "voting")?.endsOn).toBe(day);
    const after = closed.phases.map((p) => (closed.closed.includes(p.kind) ? { ...p, closedAt: "now" } : p));
    expect(currentPhase(after, day)?.kind).toBe("tallying");
    // Voting never reopens.
    expect(startPhaseNow(after, "voting", day)).toEqual({ ok: false, code: "phase_passed" });
    expect(startPhaseNow(after, "tallying", day)).toEqual({ ok: false, code: "already_current" });
    expect(startPhaseNow(after, "published", day)).toEqual({ ok: false, code: "no_such_phase" });
  });
});
