import { describe, expect, it } from "vitest";
import { ballotChanges, budgetGauge, hasChanges, orderProposals } from "../../app/domain/ballots/basket";

const envelope = { amount: 1_000, maxProjects: 3, maxPoints: 10 };
const summary = { count: 2, totalCost: 1_200, totalPoints: 7 };

describe("the budget bar", () => {
  it("measures money for knapsack ballots, choices for k-approval and points for cumulative", () => {
    expect(budgetGauge({ ...envelope, ballotType: "approval" }, summary)).toEqual({
      unit: "money",
      used: 1_200,
      limit: 1_000,
      left: 0,
      over: true,
    });
    expect(budgetGauge({ ...envelope, ballotType: "k-approval" }, summary)).toEqual({
      unit: "choices",
      used: 2,
      limit: 3,
      left: 1,
      over: false,
    });
    expect(budgetGauge({ ...envelope, ballotType: "cumulative" }, summary)).toEqual({
      unit: "points",
      used: 7,
      limit: 10,
      left: 3,
      over: false,
    });
  });
});

describe("what a revote changes", () => {
  it("lists proposals added and removed", () => {
    const c = ballotChanges({ approved: ["a", "b"] }, { approved: ["b", "c"] });
    expect(c).toEqual({ added: ["c"], removed: ["a"], changed: [] });
    expect(hasChanges(c)).toBe(true);
    expect(hasChanges(ballotChanges({ approved: ["a"] }, { approved: ["a"] }))).toBe(false);
  });

  it("lists points moved, ignoring zeros", () => {
    expect(ballotChanges({ points: { a: 3, b: 2 } }, { points: { a: 5, b: 0, c: 0, d: 1 } })).toEqual({
      added: ["d"],
      removed: ["b"],
      changed: [{ id: "a", before: 3, after: 5 }],
    });
  });
});

describe("the order of the proposals", () => {
  const proposals = [
    { id: "x", cost: 30 },
    { id: "y", cost: 10 },
    { id: "z", cost: 20 },
  ];
  it("keeps the listed order, sorts by cost, or sorts by the voter's key", () => {
    expect(orderProposals(proposals, "listed", () => "").map((p) => p.id)).toEqual(["x", "y", "z"]);
    expect(orderProposals(proposals, "cost", () => "").map((p) => p.id)).toEqual(["y", "z", "x"]);
    const key = (id: string) => ({ x: "b", y: "c", z: "a" })[id] ?? "";
    expect(orderProposals(proposals, "random", key).map((p) => p.id)).toEqual(["z", "x", "y"]);
  });
});
