import { describe, expect, it } from "vitest";
import { type EnvelopeBallotRules, checkBallot } from "../../app/domain/ballots/rules";
import { ballotType } from "../../app/domain/ballots/types";

const proposals = [
  { id: "a", cost: 400_000 },
  { id: "b", cost: 350_000 },
  { id: "c", cost: 500_000 },
];
const approval: EnvelopeBallotRules = {
  amount: 1_000_000,
  ballotType: "approval",
  minProjects: null,
  maxProjects: null,
  minSpendShare: null,
  minPoints: null,
  maxPoints: null,
};

describe("approval (knapsack) ballots", () => {
  it("accepts a basket within the amount and sums it", () => {
    expect(checkBallot(approval, proposals, { approved: ["a", "b"] })).toEqual({
      count: 2,
      totalCost: 750_000,
      totalPoints: 0,
      violations: [],
    });
  });

  it("refuses a basket over the amount, naming both totals", () => {
    expect(checkBallot(approval, proposals, { approved: ["a", "b", "c"] }).violations).toEqual([
      { code: "over_budget", total: 1_250_000, amount: 1_000_000 },
    ]);
  });

  it("refuses unknown and repeated proposals", () => {
    expect(checkBallot(approval, proposals, { approved: ["a", "zzz", "a"] }).violations).toEqual([
      { code: "unknown_proposal", proposal: "zzz" },
      { code: "repeated_proposal", proposal: "a" },
    ]);
  });

  it("applies minimum spend, minimum and maximum counts only when casting", () => {
    const rules = { ...approval, minSpendShare: 70, minProjects: 2, maxProjects: 2 };
    expect(checkBallot(rules, proposals, { approved: ["a"] }).violations).toEqual([
      { code: "under_min_spend", total: 400_000, minimum: 700_000 },
      { code: "too_few", count: 1, minimum: 2 },
    ]);
    expect(checkBallot(rules, proposals, { approved: ["a"] }, { final: false }).violations).toEqual([]);
    expect(
      checkBallot({ ...approval, maxProjects: 1 }, proposals, { approved: ["a", "b"] }, { final: false }).violations,
    ).toEqual([{ code: "too_many", count: 2, maximum: 1 }]);
    expect(checkBallot(approval, proposals, { approved: [] }).violations).toEqual([{ code: "empty" }]);
  });
});

describe("k-approval ballots", () => {
  it("limits the number of proposals, not the money", () => {
    const rules: EnvelopeBallotRules = { ...approval, ballotType: "k-approval", maxProjects: 2 };
    expect(checkBallot(rules, proposals, { approved: ["b", "c"] }).violations).toEqual([]);
    expect(checkBallot(rules, proposals, { approved: ["a", "b", "c"] }).violations).toEqual([
      { code: "too_many", count: 3, maximum: 2 },
    ]);
  });
});

describe("cumulative ballots", () => {
  const rules: EnvelopeBallotRules = { ...approval, ballotType: "cumulative", minPoints: 1, maxPoints: 10 };

  it("distributes points up to the maximum", () => {
    expect(checkBallot(rules, proposals, { points: { a: 6, b: 4, c: 0 } })).toMatchObject({
      count: 2,
      totalPoints: 10,
      violations: [],
    });
    expect(checkBallot(rules, proposals, { points: { a: 6, b: 5 } }).violations).toEqual([
      { code: "points_over", total: 11, maximum: 10 },
    ]);
  });

  it("refuses negative, fractional and unknown points, and an approval body", () => {
    expect(checkBallot(rules, proposals, { points: { a: -1, b: 1.5, x: 1 } }).violations).toEqual([
      { code: "points_negative", proposal: "a" },
      { code: "points_not_integer", proposal: "b" },
      { code: "unknown_proposal", proposal: "x" },
      { code: "points_under", total: 0, minimum: 1 },
    ]);
    expect(checkBallot(rules, proposals, { approved: ["a"] }).violations).toEqual([
      { code: "wrong_body", expected: "points" },
    ]);
  });
});

describe("normal form", () => {
  it("sorts approvals and drops zero points so equal ballots hash equally", () => {
    expect(ballotType("approval").normalize({ approved: ["c", "a"] })).toEqual({ approved: ["a", "c"] });
    expect(ballotType("cumulative").normalize({ points: { c: 2, a: 0, b: 3 } })).toEqual({ points: { b: 3, c: 2 } });
  });
});
