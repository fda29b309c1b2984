import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { parsePb } from "../../app/domain/pbfile";
import { tally } from "../../app/domain/tally";
import { walkthrough } from "../../app/domain/tally/walkthrough";

// Four voters share 100: 25 each. a (60) is paid by its three supporters' shares (20 each); b (30)
// and c (50) have one supporter whose untouched 25 cannot cover them; d (10) has a supporter with
// only 5 left after paying 20 towards a; e (5) has none.
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

const fixture = (name: string) => parsePb(fs.readFileSync(`tests/fixtures/pabulib/instances/${name}`, "utf8"));

describe("the equal shares walkthrough, replayed from the tally's own trace", () => {
  it("shares, who paid for each step, and why the others were not funded", () => {
    const election = parsePb(PB);
    const result = tally(election, { rule: "mes", tieBreak: "cost-votes-seed", seed: "s" });
    const w = walkthrough({ election, rule: "mes", seed: "s", trace: result.trace });
    expect(w.consistent).toBe(true);
    expect(w.share).toBe(25);
    expect(w.voters).toBe(4);
    expect(w.steps.map((s) => s.project)).toEqual(["a"]);
    const [a] = w.steps;
    expect(a.price).toBe(20);
    expect(a.payers).toBe(3);
    expect(a.fromShares).toBe(60);
    expect(a.payments.map((p) => p.each)).toEqual([20, 20]); // groups {a} (2 voters) and {a,d}
    expect(a.leftInShares).toBe(40);
    const why = new Map(w.unfunded.map((u) => [u.project, u]));
    expect(why.get("d")).toMatchObject({
      supporters: 1,
      supportersLeft: 5,
      needed: 5,
      spentOn: [{ project: "a", amount: 20 }],
    });
    expect(why.get("b")).toMatchObject({ supporters: 1, supportersLeft: 25, needed: 5, spentOn: [] });
    expect(why.get("e")).toMatchObject({ supporters: 0, needed: 5 });
    expect(w.greedy).toEqual(tally(election, { rule: "greedy", tieBreak: "cost-votes-seed", seed: "s" }).selected);
  });

  it("completion by greedy: the steps paid from what the budget still held", () => {
    const election = parsePb(PB);
    const result = tally(election, { rule: "mes+greedy", tieBreak: "cost-votes-seed", seed: "s" });
    const w = walkthrough({ election, rule: "mes+greedy", seed: "s", trace: result.trace });
    expect(w.steps.map((s) => [s.project, s.phase])).toEqual(result.trace.map((s) => [s.project, s.phase]));
    const completed = w.steps.filter((s) => s.phase === "greedy");
    expect(completed.length).toBeGreaterThan(0);
    for (const s of completed) expect(s.fromBudget).toBe(s.cost);
    // What completion left unfunded did not fit in what the budget held at its turn.
    expect(w.unfunded.length).toBeGreaterThan(0);
    for (const u of w.unfunded) expect(u.leftAtTurn ?? Number.POSITIVE_INFINITY).toBeLessThan(u.cost);
  });

  for (const [file, rule] of [
    ["syn_small_w.pb", "mes+greedy"],
    ["Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb", "mes+greedy"],
    ["Poland_Czestochowa_2020_Grabowka.pb", "mes"],
  ] as const) {
    it(`replays the published steps of ${file} (${rule}) and every payment adds up`, () => {
      const election = fixture(file);
      const result = tally(election, { rule, tieBreak: "cost-votes-seed", seed: "pabulib" });
      const w = walkthrough({ election, rule, seed: "pabulib", trace: result.trace });
      expect(w.consistent).toBe(true);
      expect(w.steps.map((s) => s.project)).toEqual(result.selected);
      for (const s of w.steps.filter((x) => x.phase === "mes")) {
        const trace = result.trace.find((t) => t.step === s.step);
        expect(s.fromShares).toBeCloseTo(trace?.paid ?? -1, 4);
        expect(s.payers).toBeCloseTo(trace?.payers ?? -1, 6);
      }
      // What the shares paid plus what is left in them is the whole budget.
      const last = w.steps.filter((s) => s.phase === "mes").at(-1);
      const paid = w.steps.reduce((sum, s) => sum + s.fromShares, 0);
      expect(paid + (last?.leftInShares ?? w.budget)).toBeCloseTo(w.budget, 2);
      expect(w.unfunded.length + w.steps.length).toBe(election.projects.length);
      for (const u of w.unfunded.filter((x) => x.supporters > 0 && rule === "mes"))
        expect(u.supportersLeft).toBeLessThan(u.cost);
    });
  }

  it("notices a trace that does not match the ballots", () => {
    const election = parsePb(PB);
    const w = walkthrough({
      election,
      rule: "mes",
      seed: "s",
      trace: [{ step: 1, project: "c", cost: 50, phase: "mes", payers: 1 }],
    });
    expect(w.consistent).toBe(false);
  });
});
