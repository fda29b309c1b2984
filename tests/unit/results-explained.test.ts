import { describe, expect, it } from "vitest";
import { parsePb } from "../../app/domain/pbfile";
import { tally } from "../../app/domain/tally";
import { explainOutcome, ruleFamily } from "../../app/domain/tally/explain";

// Four voters share 100: 25 each. a (60) is paid by its three supporters' shares; b (30) and c (50)
// have one supporter whose 25 cannot cover them; d (10) has a supporter with only 5 left; e (5) has none.
const PB = [
  "META",
  "key;value",
  "budget;100",
  "vote_type;approval",
  "num_projects;5",
  "num_votes;4",
  "PROJECTS",
  "project_id;cost",
  "a;60",
  "b;30",
  "c;50",
  "d;10",
  "e;5",
  "VOTES",
  "voter_id;vote",
  "1;a,d",
  "2;a",
  "3;a",
  "4;b,c",
  "",
].join("\n");

const proposals = [
  { id: "a", cost: 60, supporters: 3 },
  { id: "b", cost: 30, supporters: 1 },
  { id: "c", cost: 50, supporters: 1 },
  { id: "d", cost: 10, supporters: 1 },
  { id: "e", cost: 5, supporters: 0 },
];

describe("why each proposal was or was not funded, from the tally's own trace", () => {
  it("equal shares completed by greedy: paid by shares, then funded from what was left, or did not fit", () => {
    const result = tally(parsePb(PB), { rule: "mes+greedy" });
    const why = explainOutcome({ rule: "mes+greedy", budget: 100, trace: result.trace, proposals });
    expect(result.selected).toEqual(["a", "b", "d"]);
    expect(why.get("a")).toEqual({ funded: true, kind: "shares", step: 1, payers: 3 });
    expect(why.get("b")).toEqual({ funded: true, kind: "fits", step: 2, left: 40 });
    // c's turn came after b: 10 left, less than its 50.
    expect(why.get("c")).toEqual({ funded: false, kind: "did-not-fit", left: 10, afterShares: true });
    expect(why.get("d")).toEqual({ funded: true, kind: "fits", step: 3, left: 10 });
    expect(why.get("e")).toEqual({ funded: false, kind: "did-not-fit", left: 0, afterShares: true });
  });

  it("equal shares alone: supporters' remaining shares could not cover the cost, or nobody chose it", () => {
    const result = tally(parsePb(PB), { rule: "mes" });
    const why = explainOutcome({ rule: "mes", budget: 100, trace: result.trace, proposals });
    expect(result.selected).toEqual(["a"]);
    expect(why.get("b")).toEqual({ funded: false, kind: "shares-short" });
    expect(why.get("d")).toEqual({ funded: false, kind: "shares-short" });
    expect(why.get("e")).toEqual({ funded: false, kind: "no-support" });
  });

  it("greedy alone: no shares, only what was left at each proposal's turn", () => {
    const result = tally(parsePb(PB), { rule: "greedy" });
    const why = explainOutcome({ rule: "greedy", budget: 100, trace: result.trace, proposals });
    expect(why.get("a")).toMatchObject({ funded: true, kind: "fits", step: 1, left: 100 });
    for (const id of ["b", "c", "d", "e"].filter((id) => !result.selected.includes(id)))
      expect(why.get(id)).toMatchObject({ funded: false, kind: "did-not-fit", afterShares: false });
  });

  it("names each rule a round can count with by its own words", () => {
    expect(ruleFamily("mes+greedy")).toBe("mesGreedy");
    expect(ruleFamily("greedy")).toBe("greedy");
    expect(ruleFamily("mes")).toBe("mes");
  });
});
