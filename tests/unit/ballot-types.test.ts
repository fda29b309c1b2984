import { describe, expect, it } from "vitest";
import { hintText } from "../../app/domain/ballots/messages";
import { BALLOT_TYPES, ballotType } from "../../app/domain/ballots/types";
import { translator } from "../../app/domain/i18n";

const envelope = {
  amount: 1000,
  maxProjects: 2,
  maxPoints: 10,
  minProjects: null,
  minPoints: null,
  minSpendShare: null,
};
const costs = new Map([
  ["a", 600],
  ["b", 500],
]);
const money = (n: number) => `$${n}`;
const t = translator("en");

describe("ballot types", () => {
  it("has one module per stored ballot type, and refuses an unknown one", () => {
    expect(BALLOT_TYPES.map((name) => ballotType(name).name)).toEqual(["approval", "k-approval", "cumulative"]);
    expect(() => ballotType("ranked")).toThrow(/unknown ballot type ranked/);
    expect(() => ballotType("toString")).toThrow(/unknown ballot type/);
  });

  it("each type checks its own envelope settings: k for k-approval, points for cumulative only", () => {
    const rules = { ...envelope, ballotType: "approval" as const, maxProjects: null, maxPoints: null };
    expect(ballotType("approval").checkSettings(rules, null)).toEqual([]);
    expect(ballotType("approval").checkSettings({ ...rules, minPoints: 2 }, null)).toEqual([
      { code: "points_only_cumulative", field: "minPoints" },
    ]);
    expect(ballotType("k-approval").checkSettings(rules, null)).toEqual([{ code: "k_required", field: "maxProjects" }]);
    expect(ballotType("k-approval").checkSettings({ ...rules, maxProjects: 4 }, 3)).toEqual([
      { code: "k_over_proposals", field: "maxProjects", params: { k: 4, count: 3 } },
    ]);
    expect(ballotType("cumulative").checkSettings({ ...rules, maxPoints: 10 }, null)).toEqual([]);
    expect(ballotType("cumulative").checkSettings(rules, null)).toEqual([
      { code: "points_required", field: "maxPoints" },
    ]);
  });

  it("knapsack ballots list proposals within the amount; k-approval ones ignore the costs", () => {
    const knapsack = ballotType("approval");
    const k = ballotType("k-approval");
    expect(knapsack.empty()).toEqual({ approved: [] });
    expect(knapsack.check({ ...envelope, ballotType: "approval" }, costs, { approved: ["a", "b"] }, true)).toEqual({
      count: 2,
      totalCost: 1100,
      totalPoints: 0,
      violations: [{ code: "over_budget", total: 1100, amount: 1000 }],
    });
    expect(
      k.check({ ...envelope, ballotType: "k-approval" }, costs, { approved: ["a", "b"] }, true).violations,
    ).toEqual([]);
    expect(k.check({ ...envelope, ballotType: "k-approval" }, costs, { points: { a: 1 } }, true).violations).toEqual([
      { code: "wrong_body", expected: "approved" },
    ]);
  });

  it("cumulative ballots give points, read from a form or a paper ballot", () => {
    const c = ballotType("cumulative");
    expect(c.empty()).toEqual({ points: {} });
    expect(c.fromForm({ approved: ["a"], points: { a: 3 } })).toEqual({ points: { a: 3 } });
    expect(ballotType("approval").fromForm({ approved: ["a"], points: { a: 3 } })).toEqual({ approved: ["a"] });
    const proposalOf = (ref: string) => (ref === "1" ? "a" : ref === "2" ? "b" : null);
    expect(c.fromPaper(["1:3", "2=1"], proposalOf)).toEqual({ ok: true, body: { points: { a: 3, b: 1 } } });
    expect(ballotType("k-approval").fromPaper(["2", "1"], proposalOf)).toEqual({
      ok: true,
      body: { approved: ["b", "a"] },
    });
  });

  it("writes the .pb vote type and columns of each type", () => {
    expect(BALLOT_TYPES.map((name) => ballotType(name).pbVoteType)).toEqual(["approval", "approval", "cumulative"]);
    expect(ballotType("cumulative").pbVote({ points: { b: 2, a: 5 } })).toEqual({ vote: ["a", "b"], points: [5, 2] });
    expect(ballotType("approval").pbVote({ approved: ["b", "a"] })).toEqual({ vote: ["b", "a"], points: null });
  });

  it("states each type's rule and running total on the ballot page", () => {
    const hints = BALLOT_TYPES.map((name) => hintText(t, ballotType(name).rulesHint(envelope), money));
    expect(hints[0]).toContain("$1000");
    expect(hints[1]).toContain("2");
    expect(hints[2]).toContain("10");
    expect(new Set(hints).size).toBe(3);
    expect(hintText(t, ballotType("cumulative").totalHint({ totalCost: 0, totalPoints: 4 }, envelope), money)).toMatch(
      /4.*10/,
    );
    expect(hintText(t, ballotType("approval").totalHint({ totalCost: 600, totalPoints: 0 }, envelope), money)).toMatch(
      /\$600.*\$1000/,
    );
  });
});
